/**
 * The example service on the thingflux starter: Server-Sent Events of a device's messages and of
 * raw MQTT subscriptions, each HTTP client with a bounded buffer of its own, a property post that
 * answers with the platform's reply, and the Aliyun platform emulator in process when nothing is
 * configured.
 */
package io.thingflux.spring.example;
