/**
 * The load tester for any MQTT 3.1.1 broker: plain publishers, subscribers and connection holders
 * ({@code bench pub|sub|conn}), payload templates, multi-stage scenarios ({@code bench --scenario})
 * and their per-stage results, on the same rules as the Aliyun bench: absolute schedules, overruns
 * counted, latency from the scheduled time, exact shard merge.
 */
package io.thingflux.bench.mqtt;
