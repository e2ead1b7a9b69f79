/**
 * JMH benchmarks, run from the benchmarks jar: {@code java -jar
 * perf/benchmarks/target/thingflux-benchmarks.jar <regex>}.
 *
 * <ul>
 *   <li>{@link io.thingflux.perf.jmh.MqttDecodeBenchmark} and {@link
 *       io.thingflux.perf.jmh.MqttEncodeBenchmark}: thingflux's codec against Netty codec-mqtt on
 *       the seed CONNECT, SUBSCRIBE and PUBLISH frames ({@link
 *       io.thingflux.perf.jmh.BenchmarkFrames}); the class Javadoc says exactly what each harness
 *       does.
 *   <li>{@link io.thingflux.perf.jmh.AliyunSignBenchmark}: the CONNECT credentials of one device.
 *   <li>Alink JSON encode/decode: to be added here by the thing-model work, as {@code
 *       AlinkCodecBenchmark} (decode of the seed property-set payload, encode of a property post),
 *       in the same style: a {@code @State(Scope.Thread)} class, {@code @Setup} checking the output
 *       is right before measuring.
 * </ul>
 *
 * Run with {@code -prof gc} to get {@code gc.alloc.rate.norm} (bytes allocated per operation). A
 * full run of the codec and signing benchmarks with the annotated defaults (2 forks, 5 x 2 s
 * warm-up, 5 x 2 s measurement; about 20 minutes), on a quiet machine, from the repository root:
 *
 * <pre>
 * mvn -B -o -q package -DskipTests -pl perf/benchmarks -am
 * java -jar perf/benchmarks/target/thingflux-benchmarks.jar 'io\.thingflux\.perf\.jmh\.(MqttDecode|MqttEncode|AliyunSign)Benchmark' \
 *      -prof gc -rf json -rff perf/target/jmh-codec.json
 * </pre>
 *
 * Compare {@code thingfluxChannel} with {@code nettyChannel} and {@code thingfluxPipeline} with
 * {@code nettyPipeline} (same harness each), and {@code thingfluxBare} with {@code nettyPipeline}
 * (each codec's floor); subtract {@code harnessOnly}'s bytes per op from the channel scores, and
 * {@code pipelineHarnessOnly}'s from the pipeline scores, to get what a codec itself allocates.
 */
package io.thingflux.perf.jmh;
