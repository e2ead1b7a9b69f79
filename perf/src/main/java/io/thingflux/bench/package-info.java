/**
 * The load engine behind {@code thingflux bench}: simulates thousands of Aliyun thing-model devices
 * posting properties on an absolute schedule through a {@link io.thingflux.bench.LoadClient}
 * (thingflux's own client or the HiveMQ MQTT Client, side by side), measures connect, post-to-reply
 * and downlink latency from the scheduled times into HdrHistograms, refuses device counts the
 * machine cannot hold, and writes, reads and merges results (JSON plus a histogram sidecar) and
 * reports (histogram logs, charts).
 */
package io.thingflux.bench;
