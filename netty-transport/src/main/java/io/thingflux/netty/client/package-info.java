/**
 * The reactive MQTT 3.1.1 client on Netty: {@link io.thingflux.netty.client.MqttClient} built from
 * immutable {@link io.thingflux.netty.client.MqttClientOptions} on shared, caller-owned {@link
 * io.thingflux.netty.client.MqttClientResources}; its typed errors; and {@link
 * io.thingflux.netty.client.NettyMqttLink}, the client as the {@code MqttLink} seam of core.
 */
package io.thingflux.netty.client;
