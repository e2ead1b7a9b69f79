package io.thingflux.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.bench.BenchClientKind;
import io.thingflux.bench.BenchDevice;
import io.thingflux.bench.LoadClient;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.bench.PostFailedException;
import io.thingflux.bench.PostParams;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both load clients do the same device work against the Aliyun platform emulator on a free loopback
 * port.
 */
class LoadClientsTest {

    private static final String PK = "a1LoadTest";
    private static final String PRODUCT_SECRET = "product-secret-for-tests";

    private AliyunPlatformEmulator emulator;

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .product(PK, PRODUCT_SECRET)
                                .build());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private LoadClient client(BenchClientKind kind, MqttQos qos) {
        return LoadClients.create(
                kind,
                new LoadClientConfig(
                        "127.0.0.1",
                        emulator.mqttAddress().getPort(),
                        false,
                        qos,
                        Duration.ofSeconds(300),
                        Duration.ofSeconds(10)),
                4);
    }

    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void aDeviceConnectsWithTheAliyunSignPostsPropertiesAndGetsEachReply(BenchClientKind kind)
            throws Exception {
        AliyunDeviceIdentity id = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "dev-1");
        try (LoadClient client = client(kind, MqttQos.AT_LEAST_ONCE)) {
            assertThat(client.name()).isEqualTo(kind.cliName());
            BenchDevice device = client.device(id, null, params -> {});
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
            // every client's connect completes at the SUBACK, so one set pushed right after it
            // arrives (a set pushed before the broker took the SUBSCRIBE would be lost, as on the
            // platform)
            emulator.setProperties(PK, "dev-2", "{\"" + PostParams.DOWNLINK_SEQ_PROPERTY + "\":7}");
            Map<String, Object> params = received.get(30, TimeUnit.SECONDS);
            assertThat(((Number) params.get(PostParams.DOWNLINK_SEQ_PROPERTY)).longValue())
                    .isEqualTo(7L);
            device.disconnect().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A broker that accepts the CONNECT and refuses every filter of the SUBSCRIBE: the connect must
     * wait for the SUBACK and fail on it, with every client alike (a connect counted at the CONNACK
     * would succeed here).
     */
    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void theConnectCompletesAtTheSubAckAndFailsWhenTheRepliesCannotArrive(BenchClientKind kind)
            throws Exception {
        AliyunDeviceIdentity id = AliyunProducts.deriveDevice(PK, PRODUCT_SECRET, "dev-4");
        try (java.net.ServerSocket server =
                        new java.net.ServerSocket(
                                0, 1, java.net.InetAddress.getByName("127.0.0.1"));
                LoadClient client =
                        LoadClients.create(
                                kind,
                                new LoadClientConfig(
                                        "127.0.0.1",
                                        server.getLocalPort(),
                                        false,
                                        MqttQos.AT_LEAST_ONCE,
                                        Duration.ofSeconds(300),
                                        Duration.ofSeconds(10)),
                                4)) {
            server.setSoTimeout(30_000);
            CompletableFuture<Void> connect = client.device(id, null, p -> {}).connect();
            try (java.net.Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                java.io.OutputStream out = s.getOutputStream();
                assertThat(readPacket(in)[0] & 0xF0).isEqualTo(0x10); // CONNECT
                out.write(new byte[] {0x20, 0x02, 0x00, 0x00}); // CONNACK, accepted
                out.flush();
                byte[] subscribe = readPacket(in);
                assertThat(subscribe[0] & 0xF0).isEqualTo(0x80);
                int filters = 0;
                java.nio.ByteBuffer body =
                        java.nio.ByteBuffer.wrap(subscribe, 1, subscribe.length - 1).slice();
                short packetId = body.getShort();
                while (body.hasRemaining()) {
                    int filterLength = body.getShort() & 0xFFFF;
                    body.position(body.position() + filterLength + 1); // the filter and its QoS
                    filters++;
                }
                assertThat(connect).isNotDone();
                java.io.ByteArrayOutputStream subAck = new java.io.ByteArrayOutputStream();
                subAck.write(0x90);
                subAck.write(2 + filters);
                subAck.write(packetId >> 8);
                subAck.write(packetId);
                for (int i = 0; i < filters; i++) {
                    subAck.write(0x80); // refused
                }
                out.write(subAck.toByteArray());
                out.flush();
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> connect.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(
                                ExecutionException
                                        .class); // connect_subscribe_refused, or HiveMQ's own
            }
        }
    }

    /** One MQTT packet: its first byte, then its body (the remaining length decoded away). */
    private static byte[] readPacket(java.io.DataInputStream in) throws java.io.IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] packet = new byte[1 + length];
        packet[0] = (byte) first;
        in.readFully(packet, 1, length);
        return packet;
    }

    /**
     * The emulator answers a wrong signature with CONNACK 4 (bad user name or password); each
     * client reports it.
     */
    @ParameterizedTest
    @EnumSource(BenchClientKind.class)
    void aWrongSecretFailsTheConnect(BenchClientKind kind) {
        AliyunDeviceIdentity wrong =
                new AliyunDeviceIdentity(PK, "dev-3", "not-the-derived-secret");
        try (LoadClient client = client(kind, MqttQos.AT_MOST_ONCE)) {
            CompletableFuture<Void> connect = client.device(wrong, null, p -> {}).connect();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> connect.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertRefusedForCredentials(kind, e.getCause()));
        }
    }

    private static void assertRefusedForCredentials(BenchClientKind kind, Throwable cause) {
        switch (kind) {
            case THINGFLUX ->
                    assertThat(cause)
                            .isInstanceOfSatisfying(
                                    ConnectRefusedException.class,
                                    e ->
                                            assertThat(e.returnCode())
                                                    .isEqualTo(
                                                            ConnectReturnCode
                                                                    .BAD_USERNAME_OR_PASSWORD));
            case HIVEMQ ->
                    assertThat(cause)
                            .isInstanceOfSatisfying(
                                    Mqtt3ConnAckException.class,
                                    e ->
                                            assertThat(e.getMqttMessage().getReturnCode())
                                                    .isEqualTo(
                                                            Mqtt3ConnAckReturnCode
                                                                    .BAD_USER_NAME_OR_PASSWORD));
            case NETTY_CODEC ->
                    assertThat(cause)
                            .isInstanceOfSatisfying(
                                    PostFailedException.class,
                                    e -> {
                                        assertThat(e.reason()).isEqualTo("connect_refused");
                                        assertThat(e.getMessage())
                                                .isEqualTo(
                                                        "CONNACK "
                                                                + ConnectReturnCode
                                                                        .BAD_USERNAME_OR_PASSWORD);
                                    });
            default -> throw new AssertionError("no expectation for " + kind);
        }
    }
}
