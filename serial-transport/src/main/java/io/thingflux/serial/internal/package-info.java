/**
 * Internals of serial-transport shared by the driver and the emulator: AT parameter parsing and
 * quoting, and the {@code +QMTRECV} URC.
 */
package io.thingflux.serial.internal;
