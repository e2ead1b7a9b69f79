/**
 * An EC600S emulator: plays the module's AT command set on a pseudo-terminal (created through libc with
 * JNA) or any {@link io.thingflux.serial.at.ByteTransport}, and does the MQTT work through an
 * {@link io.thingflux.link.MqttLink} made by a {@link io.thingflux.serial.emulator.MqttLinkFactory}.
 */
package io.thingflux.serial.emulator;
