package io.thingflux.perf.jmh;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link AliyunSigner#sign} for the public example device of {@code shared/vectors}: the clientId,
 * username and HMAC password of one CONNECT. A bench run signs once per simulated device, so this
 * bounds the connect rate the signer alone allows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class AliyunSignBenchmark {

    @Param({"HMACSHA1", "HMACSHA256", "HMACMD5"})
    public SignMethod method;

    private AliyunSigner signer;
    private AliyunDeviceIdentity device;

    @Setup
    public void setUp() {
        signer = AliyunSigner.builder().method(method).build();
        device =
                new AliyunDeviceIdentity(
                        "a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    }

    @Benchmark
    public MqttCredentials sign() {
        return signer.sign(device);
    }
}
