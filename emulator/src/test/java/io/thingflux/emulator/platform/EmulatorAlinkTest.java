package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.Subscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The platform's Alink side: post replies, property store, NTP, downlink requests and their
 * replies, RRPC.
 */
class EmulatorAlinkTest {

    static final AliyunDeviceIdentity DEVICE = new AliyunDeviceIdentity("pk1", "dn1", "secret1");
    static final String SYS = "/sys/pk1/dn1/";
    static final ObjectMapper JSON = new ObjectMapper();

    private AliyunPlatformEmulator emulator;
    private TestSocket device;

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder().port(0).device(DEVICE).build());
        device = TestSocket.device(emulator.mqttAddress(), DEVICE, true);
    }

    @AfterEach
    void stop() {
        device.close();
        emulator.close();
    }

    private void subscribe(String filter) {
        device.send(Subscribe.of(1, filter, MqttQos.AT_MOST_ONCE));
        assertThat(device.read()).isInstanceOf(SubAck.class);
    }

    private Publish next() {
        MqttPacket p = device.read();
        assertThat(p).isInstanceOf(Publish.class);
        return (Publish) p;
    }

    private static JsonNode json(Publish p) throws Exception {
        return JSON.readTree(p.payloadUnsafe());
    }

    @Test
    void eventBatchAndHistoryPostsAreAnsweredWithTheirIdAndMethod() throws Exception {
        subscribe(SYS + "thing/event/+/post_reply");
        subscribe(SYS + "thing/event/property/+/post_reply");
        device.send(
                Publish.qos0(
                        SYS + "thing/event/alarm/post",
                        "{\"id\":\"7\",\"version\":\"1.0\",\"params\":{\"value\":{\"code\":1},\"time\":1},"
                                + "\"method\":\"thing.event.alarm.post\"}"));
        Publish reply = next();
        assertThat(reply.topic()).isEqualTo(SYS + "thing/event/alarm/post_reply");
        assertThat(reply.payloadAsString())
                .isEqualTo(
                        "{\"id\":\"7\",\"code\":200,\"data\":{},\"message\":\"success\","
                                + "\"method\":\"thing.event.alarm.post\",\"version\":\"1.0\"}");

        device.send(
                Publish.qos0(
                        SYS + "thing/event/property/batch/post",
                        "{\"id\":8,\"version\":\"1.0\",\"params\":{\"properties\":{\"Power\":[{\"value\":\"on\",\"time\":5},"
                                + "{\"value\":\"off\",\"time\":9},{\"value\":\"stale\",\"time\":7}]}}}"));
        JsonNode batchReply = json(next());
        assertThat(batchReply.get("id").isNumber()).isTrue(); // the id keeps its JSON type
        assertThat(batchReply.get("id").asInt()).isEqualTo(8);
        assertThat(batchReply.get("method").asText()).isEqualTo("thing.event.property.batch.post");
        assertThat(emulator.properties("pk1", "dn1").get("Power"))
                .isEqualTo(new PropertyValue("Power", "\"off\"", 9));

        device.send(
                Publish.qos0(
                        SYS + "thing/event/property/history/post",
                        "{\"id\":\"9\",\"version\":\"1.0\",\"params\":[],\"method\":\"thing.event.property.history.post\"}"));
        assertThat(json(next()).get("code").asInt()).isEqualTo(200);
    }

    @Test
    void aPostWithAck0GetsNoReplyButItsValuesAreKept() {
        subscribe(SYS + "thing/event/property/post_reply");
        device.send(
                Publish.qos0(
                        SYS + "thing/event/property/post",
                        "{\"id\":\"1\",\"version\":\"1.0\",\"sys\":{\"ack\":0},\"params\":{\"Temp\":{\"value\":21.5,\"time\":1524448722000}},"
                                + "\"method\":\"thing.event.property.post\"}"));
        assertThat(device.quietFor(400)).isTrue();
        assertThat(emulator.properties("pk1", "dn1").get("Temp"))
                .isEqualTo(new PropertyValue("Temp", "21.5", 1524448722000L));
    }

    @Test
    void malformedJsonIsAnsweredWithCode460() throws Exception {
        subscribe(SYS + "thing/event/property/post_reply");
        device.send(Publish.qos0(SYS + "thing/event/property/post", "{not json"));
        JsonNode reply = json(next());
        assertThat(reply.get("code").asInt()).isEqualTo(460);
        assertThat(reply.get("method").asText()).isEqualTo("thing.event.property.post");
        device.send(
                Publish.qos0(SYS + "thing/event/property/post", "{\"id\":\"2\",\"params\":[1]}"));
        reply = json(next());
        assertThat(reply.get("code").asInt()).isEqualTo(460);
        assertThat(reply.get("id").asText()).isEqualTo("2");
    }

    @Test
    void aPropertyPostOfMoreThan200PropertiesIsAnsweredWith6106AndNotKept() throws Exception {
        subscribe(SYS + "thing/event/property/post_reply");
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < 201; i++) {
            params.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
        }
        device.send(
                Publish.qos0(
                        SYS + "thing/event/property/post",
                        "{\"id\":\"3\",\"params\":{" + params + "}}"));
        assertThat(json(next()).get("code").asInt()).isEqualTo(6106);
        assertThat(emulator.properties("pk1", "dn1")).isEmpty();
    }

    @Test
    void ntpRequestsAreAnswered() throws Exception {
        subscribe("/ext/ntp/pk1/dn1/response");
        long before = System.currentTimeMillis();
        device.send(
                Publish.qos0("/ext/ntp/pk1/dn1/request", "{\"deviceSendTime\":\"1571724098000\"}"));
        JsonNode response = json(next());
        assertThat(response.get("deviceSendTime").asText()).isEqualTo("1571724098000");
        long recv = Long.parseLong(response.get("serverRecvTime").asText());
        long send = Long.parseLong(response.get("serverSendTime").asText());
        assertThat(recv).isBetween(before, System.currentTimeMillis());
        assertThat(send).isGreaterThanOrEqualTo(recv);
    }

    @Test
    void aPropertySetReachesTheDeviceAndItsReplyCompletesTheWaiter() throws Exception {
        subscribe(SYS + "thing/service/property/set");
        String id = emulator.setProperties("pk1", "dn1", "{\"PowerSwitch\":1}");
        Publish set = next();
        assertThat(set.topic()).isEqualTo(SYS + "thing/service/property/set");
        JsonNode request = json(set);
        assertThat(request.get("method").asText()).isEqualTo("thing.service.property.set");
        assertThat(request.get("id").asText()).isEqualTo(id);
        assertThat(request.get("params").toString()).isEqualTo("{\"PowerSwitch\":1}");

        String replyJson = "{\"id\":\"" + id + "\",\"code\":200,\"data\":{}}";
        StepVerifier.create(emulator.awaitReply("pk1", "dn1", id, Duration.ofSeconds(10)))
                .then(
                        () ->
                                device.send(
                                        Publish.qos0(
                                                SYS + "thing/service/property/set_reply",
                                                replyJson)))
                .expectNext(replyJson)
                .verifyComplete();
    }

    @Test
    void aServiceReplyThatCameFirstIsStillFound() throws Exception {
        subscribe(SYS + "thing/service/+");
        String id = emulator.invokeService("pk1", "dn1", "Reboot", "{\"delay\":3}");
        JsonNode request = json(next());
        assertThat(request.get("method").asText()).isEqualTo("thing.service.Reboot");
        String replyJson = "{\"id\":\"" + id + "\",\"code\":200,\"data\":{\"ok\":true}}";
        device.send(Publish.qos0(SYS + "thing/service/Reboot_reply", replyJson));
        device.send(
                new Publish(
                        SYS + "thing/service/Reboot_reply",
                        MqttQos.AT_LEAST_ONCE,
                        false,
                        false,
                        3,
                        replyJson.getBytes(StandardCharsets.UTF_8)));
        device.read(); // the PUBACK: the first reply was handled before it
        StepVerifier.create(emulator.awaitReply("pk1", "dn1", id, Duration.ofSeconds(10)))
                .expectNext(replyJson)
                .verifyComplete();
    }

    @Test
    void rrpcCompletesWithTheDevicesResponseOrTimesOut() {
        subscribe(SYS + "rrpc/request/+");
        StepVerifier.create(
                        emulator.rrpc(
                                "pk1",
                                "dn1",
                                "ping".getBytes(StandardCharsets.UTF_8),
                                Duration.ofSeconds(10)))
                .then(
                        () -> {
                            Publish request = next();
                            assertThat(request.payloadAsString()).isEqualTo("ping");
                            String messageId =
                                    request.topic().substring((SYS + "rrpc/request/").length());
                            device.send(Publish.qos0(SYS + "rrpc/response/" + messageId, "pong"));
                        })
                .assertNext(
                        bytes ->
                                assertThat(new String(bytes, StandardCharsets.UTF_8))
                                        .isEqualTo("pong"))
                .verifyComplete();

        StepVerifier.create(emulator.rrpc("pk1", "dn1", new byte[] {1}, Duration.ofMillis(300)))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void requestsForUnknownOrOfflineDevicesFailWithTheirCode() {
        assertThatThrownBy(() -> emulator.setProperties("pk1", "nobody", "{}"))
                .isInstanceOfSatisfying(
                        EmulatorRequestException.class,
                        e ->
                                assertThat(e.code())
                                        .isEqualTo(EmulatorRequestException.DEVICE_NOT_FOUND));
        assertThatThrownBy(() -> emulator.setProperties("pk1", "dn1", "[1]"))
                .isInstanceOfSatisfying(
                        EmulatorRequestException.class,
                        e ->
                                assertThat(e.code())
                                        .isEqualTo(EmulatorRequestException.INVALID_PARAMETER));
        device.close();
        Awaiting.until(
                Duration.ofSeconds(10),
                () -> emulator.deviceStatus("pk1", "dn1") == DeviceStatus.OFFLINE);
        assertThatThrownBy(() -> emulator.setProperties("pk1", "dn1", "{}"))
                .isInstanceOfSatisfying(
                        EmulatorRequestException.class,
                        e ->
                                assertThat(e.code())
                                        .isEqualTo(EmulatorRequestException.DEVICE_OFFLINE));
    }

    @Test
    void listenersAndThePublishesFluxSeeWhatDevicesSend() {
        StepVerifier.create(emulator.publishes().take(1))
                .then(() -> device.send(Publish.qos0("/pk1/dn1/user/x", "hello")))
                .assertNext(
                        p -> {
                            assertThat(p.productKey()).isEqualTo("pk1");
                            assertThat(p.deviceName()).isEqualTo("dn1");
                            assertThat(p.topic()).isEqualTo("/pk1/dn1/user/x");
                            assertThat(p.payloadAsString()).isEqualTo("hello");
                            assertThat(Thread.currentThread().getName())
                                    .doesNotContain("thingflux-broker");
                        })
                .verifyComplete();
    }
}
