/**
 * The embeddable Aliyun IoT Platform emulator: an MQTT 3.1/3.1.1 broker that checks the platform's
 * signed CONNECT, enforces its per-device topic ACL, answers Alink posts, keeps the latest reported
 * properties and offers an admin HTTP API named after the platform's OpenAPI actions. With
 * {@link io.thingflux.netty.broker.AuthMode#NONE} it is a plain MQTT 3.1.1 broker for any client.
 *
 * <p>Start one with {@link io.thingflux.netty.broker.AliyunPlatformEmulator#start(EmulatorOptions)}.
 */
package io.thingflux.netty.broker;
