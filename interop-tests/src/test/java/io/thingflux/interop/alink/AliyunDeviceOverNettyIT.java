package io.thingflux.interop.alink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.interop.HiveMqCeBroker;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AliyunDevice} over {@link NettyMqttLink} against real brokers: the platform emulator (its
 * own Alink replies, property set and RRPC through its APIs, NTP) and HiveMQ CE, where a HiveMQ
 * client plays the platform (answers posts and NTP requests, sends a property set and an RRPC
 * request, records the device's answers).
 */
class AliyunDeviceOverNettyIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PK = "a1InteropPk";
    private static final String DN = "interop-dev-1";
    private static final AliyunDeviceIdentity IDENTITY =
            new AliyunDeviceIdentity(PK, DN, "interopSecret42");
    private static final String SYS = "/sys/" + PK + "/" + DN;

    private static HiveMqCeBroker hivemq;

    private MqttClientResources resources;

    @BeforeAll
    static void startHiveMq() {
        hivemq = HiveMqCeBroker.start();
    }

    @AfterAll
    static void stopHiveMq() {
        if (hivemq != null) {
            hivemq.close();
        }
    }

    @BeforeEach
    void createResources() {
        resources = MqttClientResources.create(1);
    }

    @AfterEach
    void disposeResources() {
        resources.disposeLater().block(TIMEOUT);
    }

    private AliyunDevice device(String host, int port) {
        MqttClientOptions options =
                MqttClientOptions.builder(host, port)
                        .aliyun(IDENTITY, AliyunSigner.builder().build())
                        .build();
        return AliyunDevice.create(NettyMqttLink.create(options, resources), IDENTITY);
    }

    /** The next message of {@code type}, listened for from now on. */
    private static <T extends ThingMessage> CompletableFuture<T> next(
            AliyunDevice device, Class<T> type) {
        return device.messages().ofType(type).next().toFuture();
    }

    @Test
    void deviceApiAgainstThePlatformEmulator() throws Exception {
        try (AliyunPlatformEmulator emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).adminPort(0).device(IDENTITY).build())) {
            AliyunDevice device = device("127.0.0.1", emulator.mqttAddress().getPort());
            device.connect().block(TIMEOUT);
            try {
                // post properties: the emulator answers and records the values
                AlinkReply reply =
                        device.postProperties(Map.of("Temperature", 21.5, "PowerSwitch", 1))
                                .block(TIMEOUT);
                assertThat(reply.code()).isEqualTo(200);
                Map<String, PropertyValue> stored = emulator.properties(PK, DN);
                assertThat(stored.get("Temperature").valueJson()).isEqualTo("21.5");
                assertThat(stored.get("PowerSwitch").valueJson()).isEqualTo("1");

                // property set from the platform: a PropertySet in the Flux, the answer recorded by
                // the emulator
                CompletableFuture<ThingMessage.PropertySet> set =
                        next(device, ThingMessage.PropertySet.class);
                String messageId = emulator.setProperties(PK, DN, "{\"PowerSwitch\":0}");
                ThingMessage.PropertySet received = set.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(received.id()).isEqualTo(messageId);
                assertThat(received.properties()).containsEntry("PowerSwitch", 0);
                device.reply(received, 200, Map.of()).block(TIMEOUT);
                JsonNode answer =
                        JSON.readTree(
                                emulator.awaitReply(PK, DN, messageId, TIMEOUT).block(TIMEOUT));
                assertThat(answer.path("id").asText()).isEqualTo(messageId);
                assertThat(answer.path("code").asInt()).isEqualTo(200);

                // RRPC through the admin HTTP API: the HTTP answer carries the device's raw
                // response
                CompletableFuture<ThingMessage.RrpcCall> call =
                        next(device, ThingMessage.RrpcCall.class);
                int adminPort = emulator.adminAddress().orElseThrow().getPort();
                CompletableFuture<HttpResponse<String>> http =
                        HttpClient.newHttpClient()
                                .sendAsync(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + adminPort
                                                                        + "/api/RRpc"))
                                                .POST(
                                                        HttpRequest.BodyPublishers.ofString(
                                                                "{\"ProductKey\":\""
                                                                        + PK
                                                                        + "\",\"DeviceName\":\""
                                                                        + DN
                                                                        + "\",\"Timeout\":8000,\"RequestBase64Byte\":\""
                                                                        + base64("ping")
                                                                        + "\"}"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                ThingMessage.RrpcCall rrpc = call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(rrpc.payloadAsString()).isEqualTo("ping");
                assertThat(rrpc.replyTopic()).isEqualTo(SYS + "/rrpc/response/" + rrpc.messageId());
                device.replyRaw(rrpc, "pong".getBytes(StandardCharsets.UTF_8)).block(TIMEOUT);
                JsonNode rrpcResult =
                        JSON.readTree(http.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).body());
                assertThat(rrpcResult.path("RrpcCode").asText()).isEqualTo("SUCCESS");
                assertThat(rrpcResult.path("PayloadBase64Byte").asText()).isEqualTo(base64("pong"));

                // NTP: the emulator's clock is this JVM's, so the synchronised time is close to it
                long before = System.currentTimeMillis();
                ThingMessage.NtpResponse ntp = device.syncTime().block(TIMEOUT);
                long after = System.currentTimeMillis();
                assertThat(ntp.deviceSendTime()).isBetween(before, after);
                assertThat(ntp.serverTimeMillis()).isBetween(before - 1_000, after + 1_000);
            } finally {
                device.disconnect().block(TIMEOUT);
            }
        }
    }

    @Test
    void deviceApiAgainstHiveMqCeWithAHiveMqClientPlayingThePlatform() throws Exception {
        hivemq.restart(); // a no-op unless another test left it stopped
        BlockingQueue<Mqtt3Publish> answers = new LinkedBlockingQueue<>();
        Mqtt3AsyncClient platform =
                MqttClient.builder()
                        .useMqttVersion3()
                        .identifier("platform-" + UUID.randomUUID().toString().substring(0, 8))
                        .serverHost(hivemq.host())
                        .serverPort(hivemq.port())
                        .buildAsync();
        platform.connect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        try {
            platform.subscribeWith()
                    .topicFilter(SYS + "/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> onDevicePublish(platform, p, answers))
                    .send()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            platform.subscribeWith()
                    .topicFilter("/ext/ntp/" + PK + "/" + DN + "/request")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> answerNtp(platform, p))
                    .send()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            AliyunDevice device = device(hivemq.host(), hivemq.port());
            device.connect().block(TIMEOUT);
            try {
                // post properties: the platform's answer completes the post
                AlinkReply reply =
                        device.postProperties(Map.of("Temperature", 22.5)).block(TIMEOUT);
                assertThat(reply.code()).isEqualTo(200);
                assertThat(reply.dataAsMap()).containsEntry("echo", "Temperature");

                // property set: a PropertySet in the Flux, the answer reaches the platform on
                // set_reply
                CompletableFuture<ThingMessage.PropertySet> set =
                        next(device, ThingMessage.PropertySet.class);
                publish(
                        platform,
                        SYS + "/thing/service/property/set",
                        "{\"id\":\"4242\",\"version\":\"1.0\",\"params\":{\"PowerSwitch\":1},"
                                + "\"method\":\"thing.service.property.set\"}");
                ThingMessage.PropertySet received = set.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(received.id()).isEqualTo("4242");
                assertThat(received.properties()).containsEntry("PowerSwitch", 1);
                device.reply(received, 200, Map.of("applied", true)).block(TIMEOUT);
                Mqtt3Publish setReply =
                        awaitAnswer(answers, SYS + "/thing/service/property/set_reply");
                JsonNode setReplyJson = JSON.readTree(setReply.getPayloadAsBytes());
                assertThat(setReplyJson.path("id").asText()).isEqualTo("4242");
                assertThat(setReplyJson.path("code").asInt()).isEqualTo(200);
                assertThat(setReplyJson.path("data").path("applied").asBoolean()).isTrue();

                // RRPC: the raw answer goes to .../rrpc/response/{messageId} at QoS 0
                CompletableFuture<ThingMessage.RrpcCall> call =
                        next(device, ThingMessage.RrpcCall.class);
                publish(platform, SYS + "/rrpc/request/777", "ping");
                ThingMessage.RrpcCall rrpc = call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(rrpc.messageId()).isEqualTo("777");
                device.replyRaw(rrpc, "pong".getBytes(StandardCharsets.UTF_8)).block(TIMEOUT);
                Mqtt3Publish rrpcAnswer = awaitAnswer(answers, SYS + "/rrpc/response/777");
                assertThat(new String(rrpcAnswer.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("pong");
                assertThat(rrpcAnswer.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);

                // NTP: the platform answers with fixed server times; the device computes the server
                // time from them
                ThingMessage.NtpResponse ntp = device.syncTime().block(TIMEOUT);
                assertThat(ntp.serverRecvTime()).isEqualTo(ntp.deviceSendTime() + 1_000_000);
                assertThat(ntp.serverSendTime()).isEqualTo(ntp.deviceSendTime() + 1_000_010);
                assertThat(ntp.serverTimeMillis())
                        .isEqualTo(
                                Math.floorDiv(
                                        2 * ntp.deviceSendTime()
                                                + 2_000_010
                                                + ntp.deviceRecvTime()
                                                - ntp.deviceSendTime(),
                                        2));
                assertThat(ntp.offsetMillis()).isBetween(999_000L, 1_001_100L);
            } finally {
                device.disconnect().block(TIMEOUT);
            }
        } finally {
            platform.disconnect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * The platform's side on HiveMQ: answers property posts, records everything the device answers.
     */
    private static void onDevicePublish(
            Mqtt3AsyncClient platform, Mqtt3Publish p, BlockingQueue<Mqtt3Publish> answers) {
        String topic = p.getTopic().toString();
        if (topic.equals(SYS + "/thing/event/property/post")) {
            try {
                JsonNode post = JSON.readTree(p.getPayloadAsBytes());
                String firstProperty = post.path("params").fieldNames().next();
                publish(
                        platform,
                        topic + "_reply",
                        "{\"id\":\""
                                + post.path("id").asText()
                                + "\",\"code\":200,"
                                + "\"data\":{\"echo\":\""
                                + firstProperty
                                + "\"},\"message\":\"success\"}");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else if (topic.endsWith("_reply") && !topic.endsWith("/post_reply")
                || topic.contains("/rrpc/response/")) {
            answers.add(p);
        }
    }

    /**
     * Answers an NTP request with server times 1,000,000 and 1,000,010 ms after the device's send
     * time.
     */
    private static void answerNtp(Mqtt3AsyncClient platform, Mqtt3Publish p) {
        try {
            long sent =
                    Long.parseLong(
                            JSON.readTree(p.getPayloadAsBytes()).path("deviceSendTime").asText());
            publish(
                    platform,
                    "/ext/ntp/" + PK + "/" + DN + "/response",
                    "{\"deviceSendTime\":\""
                            + sent
                            + "\",\"serverRecvTime\":\""
                            + (sent + 1_000_000)
                            + "\",\"serverSendTime\":\""
                            + (sent + 1_000_010)
                            + "\"}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void publish(Mqtt3AsyncClient platform, String topic, String payload) {
        platform.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static Mqtt3Publish awaitAnswer(BlockingQueue<Mqtt3Publish> answers, String topic)
            throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            Mqtt3Publish p = answers.poll(100, TimeUnit.MILLISECONDS);
            if (p != null && p.getTopic().toString().equals(topic)) {
                return p;
            }
        }
        throw new AssertionError("no answer on " + topic + " within " + TIMEOUT);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
