/**
 * The {@link io.thingflux.bench.LoadClient}s {@code thingflux bench} drives devices with:
 * thingflux's own device API and, for side-by-side comparison, the HiveMQ MQTT Client doing the
 * same work (Aliyun sign, Alink property posts, replies correlated by id, property sets answered).
 */
package io.thingflux.bench.client;
