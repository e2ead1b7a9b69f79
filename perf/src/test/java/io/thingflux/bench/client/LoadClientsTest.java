package io.thingflux.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostParams;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.broker.AliyunPlatformEmulator;
import io.thingflux.netty.broker.EmulatorOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both load clients do the same device work against the Aliyun platform emulator on a free loopback port. */
class LoadClientsTest {

    private static final String PK = "a1LoadTest";
    private static final String PRODUCT_SECRET = "product-secret-for-tests";

    private AliyunPlatformEmulator emulator;

    @BeforeEach
    void start() {
        emulator = AliyunPlatformEmulator.start(EmulatorOptions.builder().host("127.0.0.1").port(0)
                .product(PK, PRODUCT_SECRET).build());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private LoadClient client(BenchClientKind kind, MqttQos qos) {
        return LoadClients.create(kind, new LoadClientConfig("127.0.0.1", emulator.mqttAddress().getPort(), false, qos,
                Duration.ofSeconds(300), Duration.ofSeconds(10)), 4);
    }

    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void aDeviceConnectsWithTheAliyunSignPostsPropertiesAndGetsEachReply(BenchClientKind kind) throws Exception {
        AliyunDeviceIdentity id = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "dev-1");
        try (LoadClient client = client(kind, MqttQos.AT_LEAST_ONCE)) {
            assertThat(client.name()).isEqualTo(kind.cliName());
            BenchDevice device = client.device(id, null, params -> { });
            device.connect().get(30, TimeUnit.SECONDS);
            Map<String, Object> params = PostParams.sized(200);
            CompletableFuture<?>[] posts = new CompletableFuture<?>[4];
            for (int i = 0; i < posts.length; i++) {
                posts[i] = device.postProperties(params); // four awaiting their replies at once
            }
            CompletableFuture.allOf(posts).get(30, TimeUnit.SECONDS);
            assertThat(emulator.properties(PK, "dev-1")).containsKey(PostParams.PAD_PROPERTY);
            device.disconnect().get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void aPropertySetReachesTheListenerWithItsParams(BenchClientKind kind) throws Exception {
        AliyunDeviceIdentity id = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "dev-2");
        CompletableFuture<Map<String, Object>> received = new CompletableFuture<>();
        try (LoadClient client = client(kind, MqttQos.AT_MOST_ONCE)) {
            BenchDevice device = client.device(id, null, received::complete);
            device.connect().get(30, TimeUnit.SECONDS);
            // the device API's connect completes once its SUBSCRIBEs are on their way, not acknowledged: a set
            // pushed before the broker took them is lost (as on the platform), so push until one arrives
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long seq = 6;
            while (!received.isDone() && System.nanoTime() < deadline) {
                seq++;
                emulator.setProperties(PK, "dev-2", "{\"" + PostParams.DOWNLINK_SEQ_PROPERTY + "\":" + seq + "}");
                try {
                    received.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException notYet) {
                    // push again
                }
            }
            Map<String, Object> params = received.get(1, TimeUnit.SECONDS);
            assertThat(((Number) params.get(PostParams.DOWNLINK_SEQ_PROPERTY)).longValue()).isBetween(7L, seq);
            device.disconnect().get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void aWrongSecretFailsTheConnect(BenchClientKind kind) {
        AliyunDeviceIdentity wrong = new AliyunDeviceIdentity(PK, "dev-3", "not-the-derived-secret");
        try (LoadClient client = client(kind, MqttQos.AT_MOST_ONCE)) {
            CompletableFuture<Void> connect = client.device(wrong, null, p -> { }).connect();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }
}
