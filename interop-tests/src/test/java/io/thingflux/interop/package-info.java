/**
 * thingflux against software nobody here wrote, over real sockets.
 *
 * <ul>
 *   <li>Harnesses: {@link io.thingflux.interop.MosquittoBroker} (a child process) and {@link
 *       io.thingflux.interop.HiveMqCeBroker} (embedded), each on a free loopback port with stop and
 *       restart on the same port, proven with the HiveMQ MQTT client.
 *   <li>{@link io.thingflux.interop.BrokerInteropMatrix}: our client with the HiveMQ MQTT client as
 *       the other party, written once and run against both brokers ({@code HiveMqCeInteropIT},
 *       {@code MosquittoInteropIT}).
 *   <li>{@code HiveMqDeviceAgainstEmulatorIT}: the HiveMQ client as a device of our platform
 *       emulator.
 *   <li>{@code CrossTransportThingModelIT}: the Netty and the EC600S transports give equal
 *       thing-model messages.
 * </ul>
 */
package io.thingflux.interop;
