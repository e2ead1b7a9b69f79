/**
 * The Aliyun thing model (Alink JSON) and the device API, written once on the {@link
 * io.thingflux.link.MqttLink} seam so the Netty and the EC600S transports share it.
 *
 * <p>{@link io.thingflux.alink.AliyunDevice} is the entry point: one per device triple. It
 * subscribes to the thing-model topics, turns every incoming message into a {@link
 * io.thingflux.alink.ThingMessage} (unknown ones into {@link
 * io.thingflux.alink.ThingMessage.UnknownMessage}, never dropped silently), posts properties and
 * events with replies correlated by Alink id, answers property sets and service calls (RRPC
 * included), and synchronises time over NTP. {@link io.thingflux.alink.DynamicRegistration} obtains
 * a device secret or token with the product secret. {@link io.thingflux.alink.AlinkJson} and {@link
 * io.thingflux.alink.AlinkTopics} are the wire format and the topic names, usable on their own (an
 * emulator speaks the same JSON). {@link io.thingflux.alink.AliyunGateway} is a gateway on one
 * link: its topology, sub-device registration and sessions, and each logged-in sub-device as an
 * {@code AliyunDevice} of its own, routed by topic. {@link io.thingflux.alink.PlatformServices}
 * adds the device shadow, remote config, tags and OTA (HTTP or MQTT download) on the same device;
 * {@link io.thingflux.alink.HttpsDynamicRegistration} registers over HTTPS.
 */
package io.thingflux.alink;
