package io.thingflux.emulator.platform.internal;

import io.thingflux.mqtt.MqttQos;

/**
 * A message on its way to one session, before a packet id is assigned. The payload is shared, never
 * modified.
 */
record OutboundMessage(String topic, byte[] payload, MqttQos qos, boolean retain) {}
