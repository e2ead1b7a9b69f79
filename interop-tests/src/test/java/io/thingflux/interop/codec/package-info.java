/**
 * Differential tests of thingflux's MQTT codec against Netty codec-mqtt: random packets and the
 * seed frames through both encoders and decoders, compared field by field and byte by byte.
 */
package io.thingflux.interop.codec;
