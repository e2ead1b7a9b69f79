/**
 * The MQTT 3.1.1 wire codec on Netty: {@link io.thingflux.netty.codec.MqttDecoder} frames the byte
 * stream (variable-length remaining length, size limit checked before the body is buffered) and
 * decodes one packet per frame with a pure per-type function; {@link
 * io.thingflux.netty.codec.MqttEncoder} writes exactly what the specification says. Both speak the
 * immutable {@link io.thingflux.mqtt.MqttPacket} records of core, so no ref-counted buffer ever
 * leaves the codec.
 */
package io.thingflux.netty.codec;
