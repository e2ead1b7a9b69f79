/**
 * Measurement programs run from the benchmarks jar: how many device connections one emulator holds
 * ({@link io.thingflux.perf.measure.ConnectionCapacityMain}), the heap an idle connected client
 * costs ({@link io.thingflux.perf.measure.IdleClientFootprint}) and messages per second through the
 * EC600S emulator's pty ({@link io.thingflux.perf.measure.PtyThroughputMeasurement}). Each prints
 * its figures; none asserts anything. Results and how they were taken are in {@code
 * perf/README.md}.
 */
package io.thingflux.perf.measure;
