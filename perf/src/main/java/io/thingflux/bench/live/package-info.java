/**
 * Live metrics for Prometheus and Grafana: an HTTP endpoint serving a bench run's counters and
 * latency percentiles (per stage and shard) and the emulator's broker counters while they run.
 */
package io.thingflux.bench.live;
