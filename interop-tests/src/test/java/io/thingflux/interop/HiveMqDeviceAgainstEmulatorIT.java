package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our Aliyun IoT Platform emulator with a device nobody here wrote: the HiveMQ MQTT Client (1.4.x)
 * signs its CONNECT as the platform documents, is refused when the sign is wrong or the device
 * unknown, sees the platform's topic ACL refusals (a failed SUBACK for another device's topic, the
 * connection closed for a publish there), and receives a property set pushed through the admin HTTP
 * API.
 */
class HiveMqDeviceAgainstEmulatorIT {

    static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    static final AliyunDeviceIdentity OTHER =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0002", "0c4b3532b5783df5fdc58a2895d7a7ab");
    static final String ADMIN_TOKEN = "interop-admin-token";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    private static AliyunPlatformEmulator emulator;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private final List<Mqtt3BlockingClient> clients = new ArrayList<>();

    @BeforeAll
    static void startEmulator() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(ADMIN_TOKEN)
                                .device(DEVICE)
                                .device(OTHER)
                                .build());
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @AfterEach
    void disconnect() {
        for (Mqtt3BlockingClient client : clients) {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        }
    }

    private Mqtt3BlockingClient client(MqttCredentials credentials) {
        Mqtt3BlockingClient client =
                MqttClient.builder()
                        .useMqttVersion3()
                        .identifier(credentials.clientId())
                        .serverHost("127.0.0.1")
                        .serverPort(emulator.mqttAddress().getPort())
                        .buildBlocking();
        clients.add(client);
        return client;
    }

    private static void connect(Mqtt3BlockingClient client, MqttCredentials credentials) {
        client.connectWith()
                .keepAlive(60)
                .simpleAuth()
                .username(credentials.username())
                .password(credentials.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
    }

    private Mqtt3BlockingClient connected(AliyunDeviceIdentity device) {
        MqttCredentials credentials =
                AliyunSigner.builder().method(SignMethod.HMACSHA256).build().sign(device);
        Mqtt3BlockingClient client = client(credentials);
        connect(client, credentials);
        return client;
    }

    private static Mqtt3Publish receive(Mqtt3BlockingClient.Mqtt3Publishes publishes, String what)
            throws InterruptedException {
        Optional<Mqtt3Publish> got = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("%s within %s", what, WAIT).isPresent();
        return got.get();
    }

    private JsonNode admin(String action, String body) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + emulator.adminAddress()
                                                                .orElseThrow()
                                                                .getPort()
                                                        + "/api/"
                                                        + action))
                                .timeout(WAIT)
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void aCorrectlySignedHiveMqDeviceConnectsAndItsPropertyPostIsAnswered() throws Exception {
        Mqtt3BlockingClient device = connected(DEVICE);
        assertThat(emulator.deviceStatus(DEVICE.productKey(), DEVICE.deviceName()))
                .isEqualTo(DeviceStatus.ONLINE);
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.subscribeWith()
                    .topicFilter("/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            device.publishWith()
                    .topic("/sys/a1wFylTxYeD/co_0001/thing/event/property/post")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(
                            ("{\"id\":\"77\",\"version\":\"1.0\",\"params\":{\"Temperature\":21.5},"
                                            + "\"method\":\"thing.event.property.post\"}")
                                    .getBytes(StandardCharsets.UTF_8))
                    .send();
            JsonNode reply =
                    JSON.readTree(receive(publishes, "the post reply").getPayloadAsBytes());
            assertThat(reply.get("id").asText()).isEqualTo("77");
            assertThat(reply.get("code").asInt()).isEqualTo(200);
        }
        assertThat(
                        emulator.properties(DEVICE.productKey(), DEVICE.deviceName())
                                .get("Temperature")
                                .valueJson())
                .isEqualTo("21.5");
    }

    @Test
    void aWrongSignIsRefusedWithBadUserNameOrPassword() {
        MqttCredentials good = AliyunSigner.defaults().sign(DEVICE);
        MqttCredentials wrong =
                new MqttCredentials(good.clientId(), good.username(), "0".repeat(40));
        Mqtt3BlockingClient device = client(wrong);
        assertThatThrownBy(() -> connect(device, wrong))
                .isInstanceOfSatisfying(
                        Mqtt3ConnAckException.class,
                        e ->
                                assertThat(e.getMqttMessage().getReturnCode())
                                        .isEqualTo(
                                                Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
        assertThat(device.getState().isConnected()).isFalse();
    }

    @Test
    void aDeviceTheEmulatorDoesNotKnowIsRefusedWithBadUserNameOrPassword() {
        AliyunDeviceIdentity stranger =
                new AliyunDeviceIdentity("a1wFylTxYeD", "not_registered", "whatever-secret");
        MqttCredentials credentials = AliyunSigner.defaults().sign(stranger);
        Mqtt3BlockingClient device = client(credentials);
        assertThatThrownBy(() -> connect(device, credentials))
                .isInstanceOfSatisfying(
                        Mqtt3ConnAckException.class,
                        e ->
                                assertThat(e.getMqttMessage().getReturnCode())
                                        .isEqualTo(
                                                Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
    }

    @Test
    void subscribingToAnotherDevicesTopicIsRefusedInTheSubAckWhileItsOwnIsGranted() {
        Mqtt3BlockingClient device = connected(DEVICE);
        assertThatThrownBy(
                        () ->
                                device.subscribeWith()
                                        .topicFilter(
                                                "/sys/a1wFylTxYeD/co_0002/thing/service/property/set")
                                        .qos(MqttQos.AT_LEAST_ONCE)
                                        .send())
                .isInstanceOfSatisfying(
                        Mqtt3SubAckException.class,
                        e ->
                                assertThat(e.getMqttMessage().getReturnCodes())
                                        .containsExactly(Mqtt3SubAckReturnCode.FAILURE));

        var own =
                device.subscribeWith()
                        .topicFilter("/sys/a1wFylTxYeD/co_0001/thing/service/property/set")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .send();
        assertThat(own.getReturnCodes())
                .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        assertThat(device.getState().isConnected())
                .as("a refused filter leaves the connection up")
                .isTrue();
    }

    @Test
    void publishingToAnotherDevicesTopicClosesTheConnection() throws InterruptedException {
        Mqtt3BlockingClient device = connected(DEVICE);
        assertThatThrownBy(
                        () ->
                                device.publishWith()
                                        .topic("/sys/a1wFylTxYeD/co_0002/thing/event/property/post")
                                        .qos(MqttQos.AT_LEAST_ONCE)
                                        .payload(
                                                "{\"id\":\"1\",\"params\":{}}"
                                                        .getBytes(StandardCharsets.UTF_8))
                                        .send())
                .as("the QoS 1 publish is never acknowledged: the connection is closed instead")
                .isInstanceOf(MqttSessionExpiredException.class)
                .hasMessageContaining("connection was closed");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (device.getState().isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20); // bounded polling of the client's state
        }
        assertThat(device.getState().isConnected()).isFalse();
        assertThat(emulator.properties(OTHER.productKey(), OTHER.deviceName())).isEmpty();
    }

    @Test
    void aPropertySetFromTheAdminApiReachesTheHiveMqDevice() throws Exception {
        Mqtt3BlockingClient device = connected(DEVICE);
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.subscribeWith()
                    .topicFilter("/sys/a1wFylTxYeD/co_0001/thing/service/property/set")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();

            JsonNode response =
                    admin(
                            "SetDeviceProperty",
                            "{\"ProductKey\":\"a1wFylTxYeD\",\"DeviceName\":\"co_0001\","
                                    + "\"Items\":\"{\\\"LightSwitch\\\":1,\\\"Mode\\\":\\\"eco\\\"}\"}");
            assertThat(response.get("Success").asBoolean()).as(response.toString()).isTrue();

            Mqtt3Publish pushed = receive(publishes, "the property set");
            assertThat(pushed.getTopic().toString())
                    .isEqualTo("/sys/a1wFylTxYeD/co_0001/thing/service/property/set");
            JsonNode set = JSON.readTree(pushed.getPayloadAsBytes());
            assertThat(set.get("id").asText()).isEqualTo(response.at("/Data/MessageId").asText());
            assertThat(set.get("method").asText()).isEqualTo("thing.service.property.set");
            assertThat(set.get("params"))
                    .isEqualTo(JSON.readTree("{\"LightSwitch\":1,\"Mode\":\"eco\"}"));
        }
    }
}
