/**
 * An EC600S emulator: plays the module's AT command set on a pseudo-terminal (created through libc
 * with JNA) or any {@link io.thingflux.serial.at.ByteTransport}, and does the MQTT work through an
 * {@link io.thingflux.link.MqttLink} made by a {@link
 * io.thingflux.emulator.ec600s.MqttLinkFactory}.
 */
package io.thingflux.emulator.ec600s;
