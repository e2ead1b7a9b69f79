/**
 * Harnesses that run brokers nobody here wrote for the interop tests: {@link io.thingflux.interop.MosquittoBroker}
 * (a child process) and {@link io.thingflux.interop.HiveMqCeBroker} (embedded), each on a free loopback port with
 * stop and restart on the same port, proven with the HiveMQ MQTT client.
 */
package io.thingflux.interop;
