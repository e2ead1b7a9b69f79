/** Internals of serial-transport shared by the driver and the emulator: AT parameter parsing and quoting. */
package io.thingflux.serial.internal;
