/**
 * The one seam both transports implement: a connected MQTT link that publishes bytes to a topic,
 * subscribes to a filter as a {@code Flux}, and reports its state. The Aliyun thing model is
 * written once on top of it; the Netty client and the EC600S driver implement it, and the EC600S
 * emulator is handed one to do its MQTT work.
 */
package io.thingflux.link;
