package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunGateway;
import io.thingflux.alink.AliyunGatewayOptions;
import io.thingflux.alink.GatewayErrorCode;
import io.thingflux.alink.GatewayNotification;
import io.thingflux.alink.GatewayRefusedException;
import io.thingflux.alink.SubDeviceRef;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.netty.testing.FaultInjectingProxy;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.at.JSerialCommTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;

/**
 * A gateway and its sub-devices end to end against the platform emulator: over the Netty client
 * (through a proxy that can cut the link) and over the EC600S driver on a pseudo-terminal (the
 * module emulator doing its MQTT with the Netty client). Topology, registration, logins with their
 * sign checks, sub-device posts and downlink, admin actions, notices and re-login after a drop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayEndToEndTest {

    static final Duration T = Duration.ofSeconds(20);
    static final String TOKEN = "gateway-token";
    static final String GW_PRODUCT = "a1GatewayPk";
    static final String SUB_PRODUCT = "a1SubDevPk";
    static final String SUB_PRODUCT_SECRET = "sub-product-secret-0123456789";
    static final AliyunDeviceIdentity NETTY_GW =
            new AliyunDeviceIdentity(GW_PRODUCT, "gw_netty", "gateway-secret-netty-01");
    static final AliyunDeviceIdentity SERIAL_GW =
            new AliyunDeviceIdentity(GW_PRODUCT, "gw_ec600s", "gateway-secret-serial-1");
    static final AliyunDeviceIdentity PER_SUB_GW =
            new AliyunDeviceIdentity(GW_PRODUCT, "gw_per_sub", "gateway-secret-per-sub");
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(T).build();
    private AliyunPlatformEmulator platform;
    private FaultInjectingProxy proxy;
    private MqttClientResources resources;
    private Ec600sEmulator module;
    private AliyunGateway netty;
    private AliyunGateway serial;

    static AliyunDeviceIdentity sub(String dn) {
        return AliyunProducts.deriveDevice(SUB_PRODUCT, SUB_PRODUCT_SECRET, dn);
    }

    @BeforeAll
    void start() throws Exception {
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .adminToken(TOKEN)
                                .device(NETTY_GW)
                                .device(SERIAL_GW)
                                .device(PER_SUB_GW)
                                .product(SUB_PRODUCT, SUB_PRODUCT_SECRET)
                                .build());
        proxy = FaultInjectingProxy.start(platform.mqttAddress());
        resources = MqttClientResources.create(1);
        netty =
                AliyunGateway.create(
                        NettyMqttLink.create(
                                MqttClientOptions.builder("127.0.0.1", proxy.port())
                                        .aliyun(NETTY_GW, AliyunSigner.defaults())
                                        .reconnect(
                                                ReconnectPolicy.exponential()
                                                        .withDelays(
                                                                Duration.ofMillis(100),
                                                                Duration.ofMillis(500)))
                                        .build(),
                                resources),
                        NETTY_GW);
        netty.connect().block(T);

        int port = platform.mqttAddress().getPort();
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
        serial =
                AliyunGateway.create(
                        Ec600sLink.open(
                                JSerialCommTransport.open(pty.devicePath(), 115_200),
                                Ec600sOptions.builder()
                                        .aliyunDevice(SERIAL_GW)
                                        .clientId("gw_ec600s")
                                        .build()),
                        SERIAL_GW);
        serial.connect().block(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() {
        for (AliyunGateway g : new AliyunGateway[] {serial, netty}) {
            if (g != null) {
                g.disconnect().onErrorResume(e -> Mono.empty()).block(T);
            }
        }
        if (module != null) {
            module.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (resources != null) {
            resources.disposeLater().block(T);
        }
        if (platform != null) {
            platform.close();
        }
    }

    /** Topology, login, post, property set and service call, the same over either transport. */
    private void fullFlow(AliyunGateway gw, String prefix) throws Exception {
        AliyunDeviceIdentity a = sub(prefix + "_a");
        AliyunDeviceIdentity b = sub(prefix + "_b");
        assertThat(gw.addTopology(List.of(a, b)).block(T))
                .containsExactly(
                        new SubDeviceRef(SUB_PRODUCT, a.deviceName()),
                        new SubDeviceRef(SUB_PRODUCT, b.deviceName()));
        assertThat(gw.getTopology().block(T))
                .contains(
                        new SubDeviceRef(SUB_PRODUCT, a.deviceName()),
                        new SubDeviceRef(SUB_PRODUCT, b.deviceName()));
        String gwDn = gw.topics().gateway().deviceName();
        assertThat(platform.thingTopology(GW_PRODUCT, gwDn))
                .contains(SUB_PRODUCT + "/" + a.deviceName(), SUB_PRODUCT + "/" + b.deviceName());

        List<AliyunDevice> devices = gw.login(List.of(a, b)).block(T);
        assertThat(devices).hasSize(2);
        assertThat(platform.deviceStatus(SUB_PRODUCT, a.deviceName()))
                .isEqualTo(DeviceStatus.ONLINE);
        AliyunDevice da = devices.get(0);
        BlockingQueue<ThingMessage> messages = new LinkedBlockingQueue<>();
        da.messages().filter(m -> !(m instanceof ThingMessage.Reply)).subscribe(messages::add);

        AlinkReply reply = da.postProperties(Map.of("Temp", 21.5)).block(T);
        assertThat(reply.code()).isEqualTo(200);
        assertThat(platform.properties(SUB_PRODUCT, a.deviceName()).get("Temp").valueJson())
                .isEqualTo("21.5");

        String id = platform.setProperties(SUB_PRODUCT, a.deviceName(), "{\"Power\":1}");
        ThingMessage set = poll(messages);
        assertThat(set).isInstanceOf(ThingMessage.PropertySet.class);
        assertThat(((ThingMessage.PropertySet) set).properties()).containsEntry("Power", 1);
        da.reply((ThingMessage.PropertySet) set, 200, null).block(T);
        assertThat(platform.awaitReply(SUB_PRODUCT, a.deviceName(), id, T).block(T))
                .contains("\"code\":200");

        // the second sub-device's downlink does not reach the first
        platform.invokeService(SUB_PRODUCT, b.deviceName(), "Reboot", "{}");
        AliyunDevice db = devices.get(1);
        ThingMessage call = db.messages().next().block(T);
        assertThat(call).isInstanceOf(ThingMessage.ServiceCall.class);
        assertThat(messages.poll(200, TimeUnit.MILLISECONDS)).isNull();

        // system RRPC to a sub-device, answered raw through the gateway
        Mono<byte[]> rrpc = platform.rrpc(SUB_PRODUCT, b.deviceName(), "ping".getBytes(), T);
        CompletableFuture<byte[]> answer = rrpc.toFuture();
        ThingMessage.RrpcCall rrpcCall =
                (ThingMessage.RrpcCall)
                        db.messages()
                                .filter(m -> m instanceof ThingMessage.RrpcCall)
                                .next()
                                .block(T);
        assertThat(rrpcCall.payloadAsString()).isEqualTo("ping");
        db.replyRaw(rrpcCall, "pong".getBytes()).block(T);
        assertThat(new String(answer.get(T.toSeconds(), TimeUnit.SECONDS))).isEqualTo("pong");

        gw.logout(new SubDeviceRef(SUB_PRODUCT, b.deviceName())).block(T);
        assertThat(platform.deviceStatus(SUB_PRODUCT, b.deviceName()))
                .isEqualTo(DeviceStatus.OFFLINE);
        assertThat(gw.subDevice(new SubDeviceRef(SUB_PRODUCT, b.deviceName()))).isEmpty();
        assertThat(gw.subDevice(new SubDeviceRef(SUB_PRODUCT, a.deviceName()))).isPresent();
    }

    @Test
    void overNettyASubDeviceIsAWholeThingModelDevice() throws Exception {
        fullFlow(netty, "n");
    }

    @Test
    void overTheEc600sOnAPtyASubDeviceIsAWholeThingModelDevice() throws Exception {
        fullFlow(serial, "s");
    }

    @Test
    void aGatewaySubscribingEachSubDeviceOnItsOwnWorksAlike() throws Exception {
        AliyunGateway perSub =
                AliyunGateway.create(
                        NettyMqttLink.create(
                                MqttClientOptions.builder(
                                                "127.0.0.1", platform.mqttAddress().getPort())
                                        .aliyun(PER_SUB_GW, AliyunSigner.defaults())
                                        .build(),
                                resources),
                        PER_SUB_GW,
                        AliyunGatewayOptions.builder().subscribePerSubDevice(true).build());
        try {
            perSub.connect().block(T);
            fullFlow(perSub, "p");
        } finally {
            perSub.disconnect().block(T);
        }
    }

    @Test
    void refusalsAreTypedErrors() {
        AliyunDeviceIdentity stranger = sub("not_in_topo");
        assertThatThrownBy(() -> netty.login(stranger).block(T))
                .isInstanceOfSatisfying(
                        GatewayRefusedException.class,
                        e -> assertThat(e.error()).isEqualTo(GatewayErrorCode.NOT_IN_TOPOLOGY));
        AliyunDeviceIdentity wrong =
                new AliyunDeviceIdentity(SUB_PRODUCT, "wrong_sign", "not-its-secret-0000");
        assertThatThrownBy(() -> netty.addTopology(List.of(wrong)).block(T))
                .isInstanceOfSatisfying(
                        GatewayRefusedException.class,
                        e -> assertThat(e.error()).isEqualTo(GatewayErrorCode.SIGN_CHECK_FAILED));
        netty.addTopology(List.of(sub("wrong_sign"))).block(T);
        assertThatThrownBy(() -> netty.login(wrong).block(T))
                .isInstanceOfSatisfying(
                        GatewayRefusedException.class,
                        e -> assertThat(e.error()).isEqualTo(GatewayErrorCode.WRONG_SIGN));
        assertThat(netty.subDevice(new SubDeviceRef(SUB_PRODUCT, "wrong_sign"))).isEmpty();
        assertThatThrownBy(() -> netty.addTopology(List.of(NETTY_GW)).block(T))
                .isInstanceOfSatisfying(
                        GatewayRefusedException.class,
                        e -> assertThat(e.error()).isEqualTo(GatewayErrorCode.SELF_TOPOLOGY));
        assertThat(netty.pendingRequests()).isZero();
    }

    @Test
    void registeredSubDevicesGetTheirDerivedSecretsAndLogIn() {
        List<AliyunDeviceIdentity> registered =
                netty.register(List.of(new SubDeviceRef(SUB_PRODUCT, "reg_1"))).block(T);
        assertThat(registered).containsExactly(sub("reg_1"));
        netty.addTopology(registered).block(T);
        AliyunDevice d = netty.login(registered.get(0)).block(T);
        assertThat(d.postEvent("alarm", Map.of("level", 2)).block(T).code()).isEqualTo(200);
    }

    @Test
    void adminActionsReachTheGatewayAsNotifications() throws Exception {
        BlockingQueue<GatewayNotification> notices = new LinkedBlockingQueue<>();
        var subscription = netty.notifications().subscribe(notices::add);
        try {
            AliyunDeviceIdentity x = sub("notice_x");
            JsonNode r =
                    admin(
                            "NotifyAddThingTopo",
                            "{\"GwProductKey\":\""
                                    + GW_PRODUCT
                                    + "\",\"GwDeviceName\":\"gw_netty\",\"DeviceListStr\":"
                                    + JSON.writeValueAsString(
                                            "[{\"productKey\":\""
                                                    + SUB_PRODUCT
                                                    + "\",\"deviceName\":\"notice_x\"}]")
                                    + "}");
            assertThat(r.get("Success").asBoolean()).as(r.toString()).isTrue();
            GatewayNotification add = notices.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(add).isInstanceOf(GatewayNotification.TopoAddNotify.class);
            assertThat(((GatewayNotification.TopoAddNotify) add).devices())
                    .containsExactly(new SubDeviceRef(SUB_PRODUCT, "notice_x"));
            netty.reply(add, 200).block(T);
            netty.addTopology(List.of(x)).block(T);
            netty.login(x).block(T);

            JsonNode topo =
                    admin(
                            "GetThingTopo",
                            "{\"ProductKey\":\"" + GW_PRODUCT + "\",\"DeviceName\":\"gw_netty\"}");
            assertThat(topo.at("/Data/List/deviceInfo").toString()).contains("notice_x");
            assertThat(
                            admin(
                                            "GetDeviceStatus",
                                            "{\"ProductKey\":\""
                                                    + SUB_PRODUCT
                                                    + "\",\"DeviceName\":\"notice_x\"}")
                                    .at("/Data/Status")
                                    .asText())
                    .isEqualTo("ONLINE");

            admin(
                    "RemoveThingTopo",
                    "{\"ProductKey\":\"" + SUB_PRODUCT + "\",\"DeviceName\":\"notice_x\"}");
            GatewayNotification change = notices.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(change).isInstanceOf(GatewayNotification.TopoChange.class);
            assertThat(((GatewayNotification.TopoChange) change).status())
                    .isEqualTo(GatewayNotification.TopoChange.DELETED);
            await(() -> netty.subDevice(new SubDeviceRef(SUB_PRODUCT, "notice_x")).isEmpty());
            assertThat(platform.deviceStatus(SUB_PRODUCT, "notice_x"))
                    .isEqualTo(DeviceStatus.OFFLINE);
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void afterTheLinkDropsSubDevicesAreLoggedInAgainAndKeepWorking() throws Exception {
        AliyunDeviceIdentity r = sub("reconnect_r");
        netty.addTopology(List.of(r)).block(T);
        AliyunDevice d = netty.login(r).block(T);
        proxy.resetAll();
        await(() -> platform.deviceStatus(SUB_PRODUCT, "reconnect_r") == DeviceStatus.OFFLINE);
        await(() -> platform.deviceStatus(SUB_PRODUCT, "reconnect_r") == DeviceStatus.ONLINE);
        await(
                () -> {
                    try {
                        return d.postProperties(Map.of("Back", 1)).block(T).code() == 200;
                    } catch (RuntimeException e) {
                        return false; // logged in again just now: the post may precede it
                    }
                });
        String id = platform.setProperties(SUB_PRODUCT, "reconnect_r", "{\"Power\":0}");
        ThingMessage set =
                d.messages().filter(m -> m instanceof ThingMessage.PropertySet).next().block(T);
        assertThat(((ThingMessage.PropertySet) set).id()).isEqualTo(id);
    }

    private JsonNode admin(String action, String body) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + platform.adminAddress().orElseThrow().getPort()
                                                + "/api/"
                                                + action))
                        .timeout(T)
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
        return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private static ThingMessage poll(BlockingQueue<ThingMessage> q) throws InterruptedException {
        ThingMessage m = q.poll(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(m).as("a message within " + T).isNotNull();
        return m;
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + T);
            }
            Thread.sleep(20);
        }
    }
}
