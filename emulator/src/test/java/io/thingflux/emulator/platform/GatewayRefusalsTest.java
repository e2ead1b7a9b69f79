package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.Publish;
import io.thingflux.mqtt.SubAck;
import io.thingflux.mqtt.SubAckReturnCode;
import io.thingflux.mqtt.Subscribe;
import io.thingflux.mqtt.Subscription;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The platform's gateway side on the wire, with raw frames: refusals with their codes, the ACL of a
 * gateway's wildcard filters, and a publish for a sub-device that is not logged in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayRefusalsTest {

    static final AliyunDeviceIdentity GW = new AliyunDeviceIdentity("gwpk", "gw1", "gwsecret");
    static final AliyunDeviceIdentity OTHER = new AliyunDeviceIdentity("gwpk", "dev2", "secret2");
    static final String SESSION = "/ext/session/gwpk/gw1/combine/";
    static final ObjectMapper JSON = new ObjectMapper();

    private AliyunPlatformEmulator emulator;
    private TestSocket gw;

    @BeforeAll
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .device(GW)
                                .device(OTHER)
                                .product("subpk", "sub-product-secret")
                                .build());
        gw = TestSocket.device(emulator.mqttAddress(), GW, true);
        gw.send(
                new Subscribe(
                        1,
                        List.of(
                                new Subscription(SESSION + "+", MqttQos.AT_MOST_ONCE),
                                new Subscription("/sys/+/+/thing/service/+", MqttQos.AT_MOST_ONCE),
                                new Subscription("/ext/error/+/+", MqttQos.AT_MOST_ONCE),
                                new Subscription("/sys/+/+/#", MqttQos.AT_MOST_ONCE))));
        SubAck ack = (SubAck) gw.read();
        assertThat(ack.returnCodes())
                .containsExactly(
                        SubAckReturnCode.granted(MqttQos.AT_LEAST_ONCE),
                        SubAckReturnCode.granted(MqttQos.AT_LEAST_ONCE),
                        SubAckReturnCode.granted(MqttQos.AT_LEAST_ONCE),
                        SubAckReturnCode.FAILURE); // '#' would reach past the thing topics
    }

    @AfterAll
    void stop() {
        gw.close();
        emulator.close();
    }

    private JsonNode next(String topic) throws Exception {
        MqttPacket p = gw.read();
        assertThat(p).isInstanceOf(Publish.class);
        assertThat(((Publish) p).topic()).isEqualTo(topic);
        return JSON.readTree(((Publish) p).payloadUnsafe());
    }

    @Test
    void aBatchLoginOverFiftyIsRefusedWith460() throws Exception {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            list.append(i == 0 ? "" : ",")
                    .append("{\"productKey\":\"subpk\",\"deviceName\":\"d")
                    .append(i)
                    .append("\"}");
        }
        gw.send(
                Publish.qos0(
                        SESSION + "batch_login",
                        "{\"id\":\"9\",\"params\":{\"deviceList\":[" + list + "]}}"));
        JsonNode reply = next(SESSION + "batch_login_reply");
        assertThat(reply.get("id").asText()).isEqualTo("9");
        assertThat(reply.get("code").asInt()).isEqualTo(460);
    }

    @Test
    void aLoginOfAnUnknownSubDeviceIsRefusedWith6100() throws Exception {
        gw.send(
                Publish.qos0(
                        SESSION + "login",
                        "{\"id\":\"3\",\"params\":{\"productKey\":\"nopk\",\"deviceName\":\"x\","
                                + "\"clientId\":\"nopk.x\",\"signMethod\":\"hmacsha1\",\"sign\":\"00\"}}"));
        assertThat(next(SESSION + "login_reply").get("code").asInt()).isEqualTo(6100);
    }

    @Test
    void aPostForASubDeviceNotLoggedInIsAnsweredOnExtErrorWith520() throws Exception {
        String key = "subpk/lonely";
        gw.send(
                Publish.qos0(
                        "/sys/gwpk/gw1/thing/topo/add",
                        "{\"id\":\"4\",\"params\":[{\"productKey\":\"subpk\",\"deviceName\":\"lonely\","
                                + "\"clientId\":\"c\",\"timestamp\":\"1\",\"signmethod\":\"hmacsha256\",\"sign\":\""
                                + AliyunSigner.password(
                                        SignMethod.HMACSHA256,
                                        AliyunProducts.deriveDeviceSecret(
                                                "sub-product-secret", "lonely"),
                                        "c",
                                        "lonely",
                                        "subpk",
                                        "1")
                                + "\"}]}"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!emulator.thingTopology("gwpk", "gw1").contains(key)) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(10);
        }
        gw.send(
                Publish.qos0(
                        "/sys/subpk/lonely/thing/event/property/post",
                        "{\"id\":\"5\",\"params\":{\"T\":1}}"));
        JsonNode error = next("/ext/error/subpk/lonely");
        assertThat(error.get("code").asInt()).isEqualTo(520);
        assertThat(emulator.properties("subpk", "lonely")).isEmpty();
    }

    @Test
    void aGatewaysWildcardFilterDoesNotCarryAnotherDevicesDownlink() throws Exception {
        try (TestSocket other = TestSocket.device(emulator.mqttAddress(), OTHER, true)) {
            emulator.invokeService("gwpk", "dev2", "Reboot", "{}");
            assertThat(gw.quietFor(300)).isTrue();
        }
    }
}
