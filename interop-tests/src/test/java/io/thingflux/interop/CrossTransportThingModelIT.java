package io.thingflux.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.at.JSerialCommTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * One thing model over both transports: a device on the Netty client and a device on the EC600S
 * driver (over a pseudo-terminal to the module emulator, whose MQTT goes to the same platform
 * emulator) receive the same admin-API action as equal thing-model messages and emit equal replies;
 * only the device name in topics and the message id differ.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossTransportThingModelIT {

    static final String PRODUCT = "a1CrossTrns";
    static final AliyunDeviceIdentity NETTY =
            new AliyunDeviceIdentity(PRODUCT, "netty_dev", "netty-device-secret-0123");
    static final AliyunDeviceIdentity SERIAL =
            new AliyunDeviceIdentity(PRODUCT, "ec600s_dev", "ec600s-device-secret-45");
    static final String ADMIN_TOKEN = "cross-transport-token";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private final BlockingQueue<ThingMessage> nettyMessages = new LinkedBlockingQueue<>();
    private final BlockingQueue<ThingMessage> serialMessages = new LinkedBlockingQueue<>();
    private AliyunPlatformEmulator platform;
    private MqttClientResources resources;
    private Ec600sEmulator module;
    private AliyunDevice nettyDevice;
    private AliyunDevice serialDevice;
    private Disposable receiving;

    @BeforeAll
    void start() throws Exception {
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(ADMIN_TOKEN)
                                .device(NETTY)
                                .device(SERIAL)
                                .build());
        int port = platform.mqttAddress().getPort();
        resources = MqttClientResources.create(2);

        nettyDevice =
                AliyunDevice.create(
                        NettyMqttLink.create(
                                MqttClientOptions.builder("127.0.0.1", port)
                                        .aliyun(NETTY, AliyunSigner.defaults())
                                        .build(),
                                resources),
                        NETTY);

        // the module emulator does its MQTT through our Netty client, connecting where AT+QMTOPEN
        // is redirected
        module =
                Ec600sEmulator.builder(
                                request ->
                                        NettyMqttLink.create(
                                                MqttClientOptions.builder(
                                                                request.host(), request.port())
                                                        .clientId(request.clientId())
                                                        .credentials(
                                                                request.username(),
                                                                request.password())
                                                        .keepAliveSeconds(
                                                                request.keepAliveSeconds())
                                                        .cleanSession(request.cleanSession())
                                                        .build(),
                                                resources))
                        .broker("127.0.0.1", port)
                        .build();
        Pty pty = module.attachPty(null);
        serialDevice =
                AliyunDevice.create(
                        Ec600sLink.open(
                                JSerialCommTransport.open(pty.devicePath(), 115_200),
                                Ec600sOptions.builder()
                                        .aliyunDevice(SERIAL)
                                        .clientId("ec600s_dev")
                                        .build()),
                        SERIAL);

        receiving =
                Disposables.composite(
                        nettyDevice.messages().subscribe(nettyMessages::add),
                        serialDevice.messages().subscribe(serialMessages::add));
        nettyDevice.connect().block(WAIT);
        serialDevice.connect().block(Duration.ofSeconds(90));
        // a post answered on post_reply: its SUBSCRIBEs went before it, so every thing-model
        // subscription is in place
        AlinkReply nettyPost = nettyDevice.postProperties(Map.of("Ready", 1)).block(WAIT);
        AlinkReply serialPost = serialDevice.postProperties(Map.of("Ready", 1)).block(WAIT);
        assertThat(nettyPost.code()).isEqualTo(200);
        assertThat(serialPost.code()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (receiving != null) {
            receiving.dispose();
        }
        for (AliyunDevice device : new AliyunDevice[] {serialDevice, nettyDevice}) {
            if (device != null) {
                device.disconnect().onErrorResume(e -> Mono.empty()).block(WAIT);
            }
        }
        if (module != null) {
            module.close();
        }
        if (resources != null) {
            resources.dispose();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void aPropertySetFromTheAdminApiReachesBothTransportsAsEqualMessagesAndTheirRepliesAreEqual()
            throws Exception {
        String items = "{\"LightSwitch\":1,\"Brightness\":72.5,\"Label\":\"客厅 \\\"main\\\"\"}";

        String nettyId = setProperty(NETTY, items);
        String serialId = setProperty(SERIAL, items);
        ThingMessage.PropertySet viaNetty = next(nettyMessages, ThingMessage.PropertySet.class);
        ThingMessage.PropertySet viaSerial = next(serialMessages, ThingMessage.PropertySet.class);

        assertThat(viaNetty.request().id()).isEqualTo(nettyId);
        assertThat(viaSerial.request().id()).isEqualTo(serialId);
        assertThat(viaNetty.topic())
                .isEqualTo("/sys/a1CrossTrns/netty_dev/thing/service/property/set");
        assertThat(viaSerial.topic().replace(SERIAL.deviceName(), NETTY.deviceName()))
                .isEqualTo(viaNetty.topic());
        assertThat(viaSerial.request().method())
                .isEqualTo(viaNetty.request().method())
                .isEqualTo("thing.service.property.set");
        assertThat(viaSerial.request().version()).isEqualTo(viaNetty.request().version());
        assertThat(viaSerial.properties())
                .isEqualTo(viaNetty.properties())
                .containsEntry("Label", "客厅 \"main\"");

        nettyDevice.reply(viaNetty, 200, Map.of()).block(WAIT);
        serialDevice.reply(viaSerial, 200, Map.of()).block(WAIT);
        JsonNode nettyReply =
                JSON.readTree(
                        platform.awaitReply(PRODUCT, NETTY.deviceName(), nettyId, WAIT)
                                .block(WAIT));
        JsonNode serialReply =
                JSON.readTree(
                        platform.awaitReply(PRODUCT, SERIAL.deviceName(), serialId, WAIT)
                                .block(WAIT));
        assertThat(nettyReply.get("id").asText()).isEqualTo(nettyId);
        assertThat(serialReply.get("id").asText()).isEqualTo(serialId);
        assertThat(withoutId(serialReply)).isEqualTo(withoutId(nettyReply));
        assertThat(nettyReply.get("code").asInt()).isEqualTo(200);
    }

    @Test
    void aServiceInvokedFromTheAdminApiReachesBothTransportsAsEqualServiceCalls() throws Exception {
        String args = "{\"delay\":2,\"reason\":\"update\"}";

        String nettyId = invokeService(NETTY, "Reboot", args);
        String serialId = invokeService(SERIAL, "Reboot", args);
        ThingMessage.ServiceCall viaNetty = next(nettyMessages, ThingMessage.ServiceCall.class);
        ThingMessage.ServiceCall viaSerial = next(serialMessages, ThingMessage.ServiceCall.class);

        assertThat(viaNetty.request().id()).isEqualTo(nettyId);
        assertThat(viaSerial.request().id()).isEqualTo(serialId);
        assertThat(viaNetty.serviceId()).isEqualTo(viaSerial.serviceId()).isEqualTo("Reboot");
        assertThat(viaSerial.topic().replace(SERIAL.deviceName(), NETTY.deviceName()))
                .isEqualTo(viaNetty.topic());
        assertThat(viaSerial.request().method()).isEqualTo(viaNetty.request().method());
        assertThat(viaSerial.params())
                .isEqualTo(viaNetty.params())
                .containsEntry("reason", "update");

        nettyDevice.reply(viaNetty, 200, Map.of("accepted", true)).block(WAIT);
        serialDevice.reply(viaSerial, 200, Map.of("accepted", true)).block(WAIT);
        JsonNode nettyReply =
                JSON.readTree(
                        platform.awaitReply(PRODUCT, NETTY.deviceName(), nettyId, WAIT)
                                .block(WAIT));
        JsonNode serialReply =
                JSON.readTree(
                        platform.awaitReply(PRODUCT, SERIAL.deviceName(), serialId, WAIT)
                                .block(WAIT));
        assertThat(withoutId(serialReply)).isEqualTo(withoutId(nettyReply));
        assertThat(nettyReply.at("/data/accepted").asBoolean()).isTrue();
    }

    private String setProperty(AliyunDeviceIdentity device, String itemsJson) throws Exception {
        ObjectNode body =
                JSON.createObjectNode()
                        .put("ProductKey", device.productKey())
                        .put("DeviceName", device.deviceName())
                        .put("Items", itemsJson);
        return admin("SetDeviceProperty", body).at("/Data/MessageId").asText();
    }

    private String invokeService(AliyunDeviceIdentity device, String identifier, String argsJson)
            throws Exception {
        ObjectNode body =
                JSON.createObjectNode()
                        .put("ProductKey", device.productKey())
                        .put("DeviceName", device.deviceName())
                        .put("Identifier", identifier)
                        .put("Args", argsJson);
        return admin("InvokeThingService", body).at("/Data/MessageId").asText();
    }

    private JsonNode admin(String action, JsonNode body) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + platform.adminAddress()
                                                                .orElseThrow()
                                                                .getPort()
                                                        + "/api/"
                                                        + action))
                                .timeout(WAIT)
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("Success").asBoolean())
                .as("%s answered %s", action, response.body())
                .isTrue();
        return json;
    }

    /**
     * The next message of {@code type}; messages of other types (e.g. post replies) are skipped.
     */
    private static <T extends ThingMessage> T next(
            BlockingQueue<ThingMessage> messages, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ThingMessage message =
                    messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(message).as("a %s within %s", type.getSimpleName(), WAIT).isNotNull();
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
    }

    private static JsonNode withoutId(JsonNode reply) {
        ObjectNode copy = reply.deepCopy();
        copy.remove("id");
        return copy;
    }
}
