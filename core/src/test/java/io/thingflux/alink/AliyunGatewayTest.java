package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.LinkState;
import io.thingflux.link.MqttLink;
import io.thingflux.link.SubscribeAck;
import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The gateway's messages one by one, against a scripted link. */
class AliyunGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AliyunDeviceIdentity GW =
            new AliyunDeviceIdentity("a1GwPk", "gw_1", "gateway-secret");
    private static final AliyunDeviceIdentity SUB =
            new AliyunDeviceIdentity("a1SubPk", "sub_1", "sub-secret-1");
    // written out, not computed with GatewayTopics: a wrong topic there would be expected too
    private static final String TOPO_ADD = "/sys/a1GwPk/gw_1/thing/topo/add";
    private static final String LOGIN = "/ext/session/a1GwPk/gw_1/combine/login";
    private static final String BATCH_LOGIN = "/ext/session/a1GwPk/gw_1/combine/batch_login";

    private final ScriptedMqttLink link = new ScriptedMqttLink();

    /** Also Reactor's parallel scheduler, where reply timeouts run, for the duration of a test. */
    private final VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();

    private final AliyunGateway gateway =
            AliyunGateway.create(
                    link,
                    GW,
                    AliyunGatewayOptions.builder()
                            .maxSubDevices(3)
                            .deviceOptions(AliyunDeviceOptions.builder().clock(() -> 1000).build())
                            .build());

    @AfterEach
    void resetSchedulers() {
        VirtualTimeScheduler.reset();
    }

    /** Answers every request on {@code filter} with {@code code} and {@code data} (JSON). */
    private void answer(String filter, int code, String data) {
        link.onPublish(
                filter,
                (m, l) -> {
                    String id = AlinkJson.decodeRequest(m.payloadUnsafe()).id();
                    l.deliver(
                            m.topic() + "_reply",
                            "{\"id\":\"" + id + "\",\"code\":" + code + ",\"data\":" + data + "}");
                });
    }

    private static List<AliyunDeviceIdentity> subs(int n) {
        List<AliyunDeviceIdentity> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(new AliyunDeviceIdentity("a1SubPk", "s" + i, "secret" + i));
        }
        return all;
    }

    @Test
    void connectSubscribesOnceToWildcardAndGatewayFilters() {
        gateway.connect().block(WAIT);
        assertThat(link.subscribeCalls()).hasSize(1);
        assertThat(link.subscribeCalls().get(0))
                .contains(
                        "/sys/+/+/thing/service/property/set",
                        "/sys/+/+/thing/service/+",
                        "/sys/+/+/thing/event/+/post_reply",
                        "/ext/rrpc/+/sys/+/+/thing/service/+",
                        "/sys/a1GwPk/gw_1/thing/topo/+",
                        "/sys/a1GwPk/gw_1/thing/topo/add/notify",
                        "/sys/a1GwPk/gw_1/thing/sub/register_reply",
                        "/ext/session/a1GwPk/gw_1/combine/+")
                .hasSizeLessThanOrEqualTo(50);
    }

    @Test
    void topoAddCarriesEachSubDeviceSignedWithItsOwnSecret() {
        gateway.connect().block(WAIT);
        answer(TOPO_ADD, 200, "[{\"productKey\":\"a1SubPk\",\"deviceName\":\"sub_1\"}]");
        assertThat(gateway.addTopology(List.of(SUB)).block(WAIT))
                .containsExactly(new SubDeviceRef("a1SubPk", "sub_1"));
        LinkMessage sent = link.publishedTo(TOPO_ADD).get(0);
        // printf 'clientIda1SubPk.sub_1deviceNamesub_1productKeya1SubPktimestamp1000' \
        //     | openssl dgst -sha256 -hmac sub-secret-1
        assertThat(sent.payloadAsString())
                .contains("\"method\":\"thing.topo.add\"")
                .contains(
                        "\"params\":[{\"productKey\":\"a1SubPk\",\"deviceName\":\"sub_1\","
                                + "\"clientId\":\"a1SubPk.sub_1\",\"timestamp\":\"1000\","
                                + "\"signmethod\":\"hmacsha256\",\"sign\":"
                                + "\"fdefe699e3fd64a9781f69c3cfc4de776634f41d25ae942c848b699fd5ad2dd9\"}]")
                .doesNotContain("sub-secret-1");
    }

    @Test
    void loginGoesAtQos0AndItsSubDeviceGetsItsOwnMessages() {
        gateway.connect().block(WAIT);
        answer(LOGIN, 200, "{\"productKey\":\"a1SubPk\",\"deviceName\":\"sub_1\"}");
        AliyunDevice sub = gateway.login(SUB).block(WAIT);
        LinkMessage sent = link.publishedTo(LOGIN).get(0);
        assertThat(sent.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(sent.payloadAsString())
                .contains("\"signMethod\":\"hmacsha256\"", "\"cleanSession\":\"true\"");

        List<ThingMessage> subMessages = new CopyOnWriteArrayList<>();
        List<ThingMessage> gwMessages = new CopyOnWriteArrayList<>();
        sub.messages().subscribe(subMessages::add);
        gateway.device().messages().subscribe(gwMessages::add);
        link.deliver(
                "/sys/a1SubPk/sub_1/thing/service/property/set",
                "{\"id\":\"5\",\"version\":\"1.0\",\"params\":{\"P\":1},\"method\":\"thing.service.property.set\"}");
        link.deliver(
                "/sys/a1GwPk/gw_1/thing/service/property/set",
                "{\"id\":\"6\",\"version\":\"1.0\",\"params\":{\"G\":1},\"method\":\"thing.service.property.set\"}");
        // a sub-device that is not logged in: counted and dropped, given to nobody
        link.deliver(
                "/sys/a1SubPk/stranger/thing/service/property/set",
                "{\"id\":\"7\",\"version\":\"1.0\",\"params\":{},\"method\":\"thing.service.property.set\"}");
        assertThat(subMessages).hasSize(1);
        assertThat(((ThingMessage.PropertySet) subMessages.get(0)).properties())
                .containsEntry("P", 1);
        assertThat(gwMessages).hasSize(1);
        assertThat(((ThingMessage.PropertySet) gwMessages.get(0)).properties())
                .containsEntry("G", 1);
        assertThat(gateway.unroutedMessages()).isEqualTo(1);

        // the sub-device posts on its own topics, through the gateway's link
        link.onPublish(
                "/sys/a1SubPk/sub_1/thing/event/property/post",
                (m, l) ->
                        l.deliver(
                                m.topic() + "_reply",
                                "{\"id\":\""
                                        + AlinkJson.decodeRequest(m.payloadUnsafe()).id()
                                        + "\",\"code\":200,\"data\":{}}"));
        assertThat(sub.postProperties(Map.of("T", 1)).block(WAIT).code()).isEqualTo(200);
    }

    @Test
    void batchLoginSendsTheDeviceListAndABatchOverTheLimitNothing() {
        gateway.connect().block(WAIT);
        answer(BATCH_LOGIN, 200, "[]");
        List<AliyunDevice> devices = gateway.login(subs(2)).block(WAIT);
        assertThat(devices).hasSize(2);
        assertThat(link.publishedTo(BATCH_LOGIN).get(0).payloadAsString())
                .contains("\"method\":\"combine.batch_login\"", "\"deviceList\":[{");
        int before = link.published().size();
        assertThatThrownBy(() -> gateway.login(subs(51)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 50");
        assertThatThrownBy(
                        () ->
                                gateway.register(
                                        subs(31).stream()
                                                .map(
                                                        d ->
                                                                new SubDeviceRef(
                                                                        d.productKey(),
                                                                        d.deviceName()))
                                                .toList()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 30");
        // three at most (the options): two held, two more refused before sending
        StepVerifier.create(gateway.login(subs(4).subList(2, 4)))
                .expectError(GatewayLimitException.class)
                .verify(WAIT);
        assertThat(link.published()).hasSize(before);
    }

    @Test
    void aRefusedLoginIsATypedErrorAndLeavesNoSubDevice() {
        gateway.connect().block(WAIT);
        answer(LOGIN, 6287, "{}");
        StepVerifier.create(gateway.login(SUB))
                .expectErrorSatisfies(
                        e -> {
                            assertThat(e).isInstanceOf(GatewayRefusedException.class);
                            assertThat(((GatewayRefusedException) e).error())
                                    .isEqualTo(GatewayErrorCode.WRONG_SIGN);
                            assertThat(e.getMessage()).doesNotContain("sub-secret-1");
                        })
                .verify(WAIT);
        assertThat(gateway.subDeviceCount()).isZero();
        assertThat(gateway.subDevice(new SubDeviceRef("a1SubPk", "sub_1"))).isEmpty();
    }

    @Test
    void aTopoReplyThatNeverComesTimesOutAndIsForgotten() {
        gateway.connect().block(WAIT);
        StepVerifier.withVirtualTime(() -> gateway.getTopology(), () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .then(() -> assertThat(gateway.pendingRequests()).isEqualTo(1))
                .thenAwait(AliyunDeviceOptions.DEFAULT_REPLY_TIMEOUT)
                .expectError(AlinkTimeoutException.class)
                .verify(WAIT);
        assertThat(gateway.pendingRequests()).isZero();
        // a late reply finds nobody waiting and goes nowhere
        link.deliver("/sys/a1GwPk/gw_1/thing/topo/get_reply", "{\"id\":\"1\",\"code\":200}");
        assertThat(gateway.pendingRequests()).isZero();
    }

    @Test
    void platformNoticesAreTypedAndADeletedSubDeviceEnds() {
        gateway.connect().block(WAIT);
        answer(LOGIN, 200, "{}");
        AliyunDevice sub = gateway.login(SUB).block(WAIT);
        List<GatewayNotification> notices = new CopyOnWriteArrayList<>();
        gateway.notifications().subscribe(notices::add);
        link.deliver(
                "/sys/a1GwPk/gw_1/thing/topo/add/notify",
                "{\"id\":\"1\",\"version\":\"1.0\",\"params\":[{\"productKey\":\"a1SubPk\",\"deviceName\":\"n1\"}],"
                        + "\"method\":\"thing.topo.add.notify\"}");
        link.deliver(
                "/sys/a1GwPk/gw_1/thing/topo/change",
                "{\"id\":\"2\",\"version\":\"1.0\",\"params\":{\"status\":8,\"subList\":[{\"productKey\":\"a1SubPk\",\"deviceName\":\"sub_1\"}]},"
                        + "\"method\":\"thing.topo.change\"}");
        link.deliver(
                "/sys/a1SubPk/sub_1/thing/delete",
                "{\"id\":\"3\",\"version\":\"1.0\",\"params\":{},\"method\":\"thing.delete\"}");
        assertThat(notices)
                .containsExactly(
                        new GatewayNotification.TopoAddNotify(
                                "/sys/a1GwPk/gw_1/thing/topo/add/notify",
                                "1",
                                List.of(new SubDeviceRef("a1SubPk", "n1"))),
                        new GatewayNotification.TopoChange(
                                "/sys/a1GwPk/gw_1/thing/topo/change",
                                "2",
                                GatewayNotification.TopoChange.DISABLED,
                                List.of(new SubDeviceRef("a1SubPk", "sub_1"))),
                        new GatewayNotification.SubDeviceChange(
                                "/sys/a1SubPk/sub_1/thing/delete",
                                "3",
                                new SubDeviceRef("a1SubPk", "sub_1"),
                                GatewayNotification.SubDeviceChange.Kind.DELETE));
        StepVerifier.create(sub.messages()).verifyComplete();
        assertThat(gateway.subDeviceCount()).isZero();
        gateway.reply(notices.get(0), 200).block(WAIT);
        assertThat(
                        link.publishedTo("/sys/a1GwPk/gw_1/thing/topo/add/notify_reply")
                                .get(0)
                                .payloadAsString())
                .isEqualTo("{\"id\":\"1\",\"code\":200,\"data\":{}}");
    }

    @Test
    void whenTheLinkDropsASubDevicesWaitingRequestFailsAndLaterOnesAreRefused() {
        Sinks.Many<LinkState> states = Sinks.many().replay().latest();
        states.tryEmitNext(LinkState.CONNECTED);
        MqttLink dropping =
                new MqttLink() {
                    @Override
                    public Mono<Void> connect() {
                        return link.connect();
                    }

                    @Override
                    public Mono<Void> disconnect() {
                        return link.disconnect();
                    }

                    @Override
                    public LinkState state() {
                        return link.state();
                    }

                    @Override
                    public Flux<LinkState> states() {
                        return states.asFlux();
                    }

                    @Override
                    public Mono<Void> publish(String topic, byte[] payload, MqttQos qos) {
                        return link.publish(topic, payload, qos);
                    }

                    @Override
                    public Flux<LinkMessage> subscribe(
                            List<String> filters,
                            MqttQos qos,
                            Consumer<? super SubscribeAck> onAck) {
                        return link.subscribe(filters, qos, onAck);
                    }

                    @Override
                    public Flux<LinkMessage> unsolicited() {
                        return link.unsolicited();
                    }
                };
        AliyunGateway gw = AliyunGateway.create(dropping, GW);
        gw.connect().block(WAIT);
        answer(LOGIN, 200, "{}");
        AliyunDevice sub = gw.login(SUB).block(WAIT);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        sub.postProperties(Map.of("T", 1)).subscribe(r -> {}, errors::add);
        assertThat(sub.pendingRequests()).isEqualTo(1);
        states.tryEmitNext(LinkState.RECONNECTING);
        assertThat(errors).singleElement().isInstanceOf(SubDeviceOfflineException.class);
        assertThat(sub.pendingRequests()).isZero();
        StepVerifier.create(sub.postProperties(Map.of("T", 2)))
                .expectError(SubDeviceOfflineException.class)
                .verify(WAIT);
    }

    @Test
    void registrationDeletionGetAndLogoutCarryTheirParams() {
        gateway.connect().block(WAIT);
        answer(
                "/sys/a1GwPk/gw_1/thing/sub/register",
                200,
                "[{\"iotId\":\"i1\",\"productKey\":\"a1SubPk\",\"deviceName\":\"r1\","
                        + "\"deviceSecret\":\"issued-secret\"}]");
        assertThat(gateway.register(List.of(new SubDeviceRef("a1SubPk", "r1"))).block(WAIT))
                .containsExactly(new AliyunDeviceIdentity("a1SubPk", "r1", "issued-secret"));
        assertThat(link.publishedTo("/sys/a1GwPk/gw_1/thing/sub/register").get(0).payloadAsString())
                .contains(
                        "\"params\":[{\"productKey\":\"a1SubPk\",\"deviceName\":\"r1\"}]",
                        "\"method\":\"thing.sub.register\"");

        answer("/sys/a1GwPk/gw_1/thing/topo/delete", 200, "{}");
        gateway.deleteTopology(List.of(new SubDeviceRef("a1SubPk", "r1"))).block(WAIT);
        assertThat(link.publishedTo("/sys/a1GwPk/gw_1/thing/topo/delete").get(0).payloadAsString())
                .contains("\"method\":\"thing.topo.delete\"", "\"deviceName\":\"r1\"");

        answer(
                "/sys/a1GwPk/gw_1/thing/topo/get",
                200,
                "[{\"productKey\":\"a1SubPk\",\"deviceName\":\"a\"},{\"productKey\":\"a1SubPk\",\"deviceName\":\"b\"}]");
        assertThat(gateway.getTopology().block(WAIT))
                .containsExactly(
                        new SubDeviceRef("a1SubPk", "a"), new SubDeviceRef("a1SubPk", "b"));

        answer(BATCH_LOGIN, 200, "[]");
        answer("/ext/session/a1GwPk/gw_1/combine/batch_logout", 200, "[]");
        List<AliyunDevice> two = gateway.login(subs(2)).block(WAIT);
        gateway.logout(
                        List.of(
                                new SubDeviceRef("a1SubPk", "s0"),
                                new SubDeviceRef("a1SubPk", "s1")))
                .block(WAIT);
        LinkMessage logout =
                link.publishedTo("/ext/session/a1GwPk/gw_1/combine/batch_logout").get(0);
        assertThat(logout.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(logout.payloadAsString())
                .contains("\"method\":\"combine.batch_logout\"", "\"deviceName\":\"s1\"");
        assertThat(gateway.subDeviceCount()).isZero();
        StepVerifier.create(two.get(0).messages()).verifyComplete();
    }

    @Test
    void perSubDeviceSubscriptionsAreMadeAtLoginAndEndedAtLogout() {
        AliyunGateway gw =
                AliyunGateway.create(
                        link,
                        GW,
                        AliyunGatewayOptions.builder().subscribePerSubDevice(true).build());
        gw.connect().block(WAIT);
        assertThat(link.subscribeCalls().get(0))
                .contains("/sys/a1GwPk/gw_1/thing/service/+", "/ext/session/a1GwPk/gw_1/combine/+")
                .noneMatch(f -> f.contains("+/+"));
        answer(LOGIN, 200, "{}");
        answer("/ext/session/a1GwPk/gw_1/combine/logout", 200, "{}");
        AliyunDevice sub = gw.login(SUB).block(WAIT);
        assertThat(link.subscribeCalls()).hasSize(2);
        assertThat(link.subscribeCalls().get(1))
                .contains(
                        "/sys/a1SubPk/sub_1/thing/service/property/set",
                        "/sys/a1SubPk/sub_1/thing/delete");
        List<ThingMessage> got = new CopyOnWriteArrayList<>();
        sub.messages().subscribe(got::add);
        link.deliver(
                "/sys/a1SubPk/sub_1/thing/service/Reboot",
                "{\"id\":\"8\",\"version\":\"1.0\",\"params\":{},\"method\":\"thing.service.Reboot\"}");
        assertThat(got).singleElement().isInstanceOf(ThingMessage.ServiceCall.class);
        gw.logout(new SubDeviceRef("a1SubPk", "sub_1")).block(WAIT);
        assertThat(link.unsubscribed()).contains("/sys/a1SubPk/sub_1/thing/service/property/set");
    }

    @Test
    void deviceKeyIsReadFromEveryThingModelTopicShape() {
        assertThat(GatewayTopics.deviceKey("/sys/pk/dn/thing/service/property/set"))
                .isEqualTo("pk/dn");
        assertThat(GatewayTopics.deviceKey("/ext/rrpc/123/sys/pk/dn/thing/service/s"))
                .isEqualTo("pk/dn");
        assertThat(GatewayTopics.deviceKey("/ext/ntp/pk/dn/response")).isEqualTo("pk/dn");
        assertThat(GatewayTopics.deviceKey("/ota/device/upgrade/pk/dn")).isEqualTo("pk/dn");
        assertThat(GatewayTopics.deviceKey("/pk/dn/user/x")).isNull();
        assertThat(GatewayTopics.deviceKey("/sys/pk")).isNull();
        assertThat(GatewayTopics.deviceKey("/sys//dn/x")).isNull();
    }

    @Test
    void errorCodesMapToTheirConstants() {
        for (int code :
                new int[] {401, 6400, 6401, 6402, 6280, 427, 428, 520, 521, 522, 527, 6287}) {
            assertThat(GatewayErrorCode.valueOf(code).code()).isEqualTo(code);
        }
        assertThat(GatewayErrorCode.valueOf(12345)).isEqualTo(GatewayErrorCode.OTHER);
    }
}
