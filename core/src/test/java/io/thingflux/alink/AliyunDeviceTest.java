package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkMessage;
import io.thingflux.link.SubscriptionRefusedException;
import io.thingflux.link.testing.ScriptedMqttLink;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class AliyunDeviceTest {

    private static final AliyunDeviceIdentity ID =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedMqttLink link = new ScriptedMqttLink();

    /** Also Reactor's parallel scheduler, where reply timeouts run, for the duration of a test. */
    private final VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();

    private final AtomicLong clock = new AtomicLong(1_000);
    // The topics are written out (or taken from shared/vectors), not computed with AlinkTopics: a
    // wrong topic there would otherwise be expected by the test too.
    private static final String PROPERTY_POST =
            FrameVectors.publish("publish-property-post-up-1").topic();
    private static final String PROPERTY_SET =
            FrameVectors.publish("publish-property-set-down").topic();
    private static final String NTP_REQUEST = "/ext/ntp/a1wFylTxYeD/co_0001/request";
    private static final String NTP_RESPONSE = "/ext/ntp/a1wFylTxYeD/co_0001/response";
    private static final String CONFIG_GET = "/sys/a1wFylTxYeD/co_0001/thing/config/get";
    private static final List<String> DEVICE_SUBSCRIPTIONS =
            List.of(
                    "/sys/a1wFylTxYeD/co_0001/thing/service/property/set",
                    "/sys/a1wFylTxYeD/co_0001/thing/service/+",
                    "/sys/a1wFylTxYeD/co_0001/thing/event/+/post_reply",
                    "/sys/a1wFylTxYeD/co_0001/thing/event/property/batch/post_reply",
                    "/sys/a1wFylTxYeD/co_0001/rrpc/request/+",
                    "/ext/rrpc/+/sys/a1wFylTxYeD/co_0001/thing/service/+",
                    "/ext/ntp/a1wFylTxYeD/co_0001/response",
                    "/sys/a1wFylTxYeD/co_0001/thing/config/push",
                    "/ota/device/upgrade/a1wFylTxYeD/co_0001",
                    "/sys/a1wFylTxYeD/co_0001/thing/model/down_raw");

    @AfterEach
    void resetSchedulers() {
        VirtualTimeScheduler.reset();
    }

    private AliyunDeviceOptions.Builder options() {
        return AliyunDeviceOptions.builder().clock(clock::get);
    }

    private AliyunDevice connected(AliyunDeviceOptions options) {
        AliyunDevice device = AliyunDevice.create(link, ID, options);
        device.connect().block(WAIT);
        return device;
    }

    private AliyunDevice connected() {
        return connected(options().build());
    }

    private static final Pattern REQUEST_ID = Pattern.compile("\"id\":\"([^\"]*)\"");

    /** The request's id, read from its JSON text (not with AlinkJson, the code under test). */
    private static String idOf(LinkMessage m) {
        Matcher id = REQUEST_ID.matcher(m.payloadAsString());
        assertThat(id.find()).as("an \"id\" string in %s", m.payloadAsString()).isTrue();
        return id.group(1);
    }

    private static String json(LinkMessage m) {
        return m.payloadAsString();
    }

    /** Answers every publish matching {@code filter} with {@code code} on its reply topic. */
    private void answer(String filter, int code) {
        link.onPublish(
                filter,
                (m, l) ->
                        l.deliver(
                                m.topic() + "_reply",
                                "{\"id\":\""
                                        + idOf(m)
                                        + "\",\"code\":"
                                        + code
                                        + ",\"data\":{},\"message\":\"m"
                                        + code
                                        + "\"}"));
    }

    @Test
    void connectSubscribesToEveryThingTopicOnceAtTheConfiguredQos() {
        connected();
        assertThat(link.subscribeRequests())
                .extracting(ScriptedMqttLink.SubscribeRequest::filter)
                .containsExactlyElementsOf(DEVICE_SUBSCRIPTIONS);
        assertThat(link.subscribeRequests()).allMatch(r -> r.qos() == MqttQos.AT_LEAST_ONCE);
        assertThat(link.subscribeCalls())
                .as("one subscription for all filters")
                .containsExactly(DEVICE_SUBSCRIPTIONS);
        assertThat(link.activeFilters())
                .hasSize(10)
                .contains(
                        FrameVectors.publish("publish-property-set-down").topic(),
                        "/sys/a1wFylTxYeD/co_0001/rrpc/request/+",
                        "/ext/rrpc/+/sys/a1wFylTxYeD/co_0001/thing/service/+",
                        "/ext/ntp/a1wFylTxYeD/co_0001/response",
                        "/ota/device/upgrade/a1wFylTxYeD/co_0001");
    }

    @Test
    void postPropertiesSendsAlinkJsonAndCompletesWithTheReplyEvenWhenNobodyReadsMessages() {
        answer(PROPERTY_POST, 200);
        AliyunDevice device = connected();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("Power", "on");
        props.put("WF", 23.6);
        StepVerifier.create(device.postProperties(props))
                .assertNext(
                        r -> {
                            assertThat(r.code()).isEqualTo(200);
                            assertThat(r.id()).isEqualTo("1");
                        })
                .expectComplete()
                .verify(WAIT);
        LinkMessage sent =
                link.publishedTo("/sys/a1wFylTxYeD/co_0001/thing/event/property/post").get(0);
        assertThat(json(sent))
                .isEqualTo(
                        "{\"id\":\"1\",\"version\":\"1.0\",\"params\":{\"Power\":\"on\",\"WF\":23.6},"
                                + "\"method\":\"thing.event.property.post\"}");
        assertThat(sent.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(device.pendingRequests()).isZero();
    }

    @Test
    void repliesArrivingOutOfOrderCompleteTheirOwnRequests() {
        AliyunDevice device = connected();
        StepVerifier.create(
                        Mono.zip(
                                device.postProperties(Map.of("n", 1)),
                                device.postProperties(Map.of("n", 2))))
                .then(
                        () -> {
                            List<LinkMessage> posts = link.publishedTo(PROPERTY_POST);
                            assertThat(posts).hasSize(2);
                            String first = idOf(posts.get(0));
                            String second = idOf(posts.get(1));
                            assertThat(first).isNotEqualTo(second);
                            String reply = PROPERTY_POST + "_reply";
                            link.deliver(
                                    reply,
                                    "{\"id\":\""
                                            + second
                                            + "\",\"code\":200,\"data\":{\"for\":\"second\"}}");
                            link.deliver(
                                    reply,
                                    "{\"id\":"
                                            + first
                                            + ",\"code\":200,\"data\":{\"for\":\"first\"}}");
                        })
                .assertNext(
                        t -> {
                            assertThat(t.getT1().dataAsMap()).containsEntry("for", "first");
                            assertThat(t.getT2().dataAsMap()).containsEntry("for", "second");
                        })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void idsAreStringsFromACounterUniquePerDevice() {
        answer(PROPERTY_POST, 200);
        AliyunDevice device = connected();
        for (int i = 0; i < 5; i++) {
            device.postProperties(Map.of("n", i)).block(WAIT);
        }
        assertThat(link.publishedTo(PROPERTY_POST))
                .extracting(AliyunDeviceTest::idOf)
                .containsExactly("1", "2", "3", "4", "5");
        assertThat(json(link.publishedTo(PROPERTY_POST).get(0))).contains("\"id\":\"1\"");
    }

    @Test
    void afterTheCounterWrapsIdsStillWaitingAreSkippedAndRepliesMatchByExactId() {
        AliyunDevice device = connected();
        device.lastIdForTesting(AliyunDevice.MAX_ID - 1);
        List<AlinkReply> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            device.postProperties(Map.of("n", i)).subscribe(replies::add);
        }
        device.lastIdForTesting(0); // the next ids, 1 and 2, are still waiting
        device.postProperties(Map.of("n", 3)).subscribe(replies::add);
        assertThat(link.publishedTo(PROPERTY_POST))
                .extracting(AliyunDeviceTest::idOf)
                .containsExactly("4294967295", "1", "2", "3");

        String reply = PROPERTY_POST + "_reply";
        link.deliver(
                reply, "{\"id\":\"02\",\"code\":200,\"data\":{}}"); // not an id the device wrote
        link.deliver(reply, "{\"id\":\"+2\",\"code\":200,\"data\":{}}");
        link.deliver(reply, "{\"id\":\"4294967296\",\"code\":200,\"data\":{}}");
        vts.advanceTime();
        assertThat(replies).isEmpty();
        assertThat(device.pendingRequests()).isEqualTo(4);

        for (String id : List.of("3", "4294967295", "2", "1")) {
            link.deliver(reply, "{\"id\":\"" + id + "\",\"code\":200,\"data\":{}}");
        }
        vts.advanceTime();
        assertThat(replies).extracting(AlinkReply::id).containsExactly("3", "4294967295", "2", "1");
        assertThat(device.pendingRequests()).isZero();
    }

    @Test
    void aReplyWithAnErrorCodeFailsTheRequestWithThatCode() {
        answer(PROPERTY_POST, 6106);
        AliyunDevice device = connected();
        StepVerifier.create(device.postProperties(Map.of("n", 1)))
                .expectErrorSatisfies(
                        e -> {
                            assertThat(e)
                                    .isInstanceOf(AlinkReplyException.class)
                                    .hasMessageContaining("6106");
                            assertThat(((AlinkReplyException) e).code()).isEqualTo(6106);
                            assertThat(((AlinkReplyException) e).reply().message())
                                    .isEqualTo("m6106");
                        })
                .verify(WAIT);
    }

    @Test
    void withoutAReplyTheRequestTimesOutAfterTheConfiguredTimeAndForgetsItsId() {
        AliyunDevice device = connected(options().replyTimeout(Duration.ofSeconds(10)).build());
        StepVerifier.create(device.postProperties(Map.of("n", 1)))
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(9_999)))
                .then(() -> assertThat(device.pendingRequests()).isEqualTo(1))
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(1)))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(AlinkTimeoutException.class)
                                        .hasMessageContaining("id 1")
                                        .hasMessageContaining("10000 ms"))
                .verify(WAIT);
        assertThat(device.pendingRequests()).isZero();
        // a late reply is still delivered as a message, and harms nothing
        assertThat(
                        link.deliver(
                                PROPERTY_POST + "_reply",
                                "{\"id\":\"1\",\"code\":200,\"data\":{}}"))
                .isEqualTo(1);
    }

    @Test
    void requestsMadeAtDifferentTimesEachTimeOutAtTheirOwnDeadline() {
        AliyunDevice device = connected(options().replyTimeout(Duration.ofSeconds(10)).build());
        List<Throwable> first = new ArrayList<>();
        List<Throwable> second = new ArrayList<>();
        List<AlinkReply> answered = new ArrayList<>();
        device.postProperties(Map.of("n", 1)).subscribe(r -> {}, first::add);
        vts.advanceTimeBy(Duration.ofSeconds(4));
        device.postProperties(Map.of("n", 2)).subscribe(r -> {}, second::add);
        device.postProperties(Map.of("n", 3)).subscribe(answered::add);
        link.deliver(PROPERTY_POST + "_reply", "{\"id\":\"3\",\"code\":200,\"data\":{}}");
        assertThat(answered).hasSize(1);
        vts.advanceTimeBy(Duration.ofMillis(5_999));
        assertThat(first).isEmpty();
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(first).singleElement().isInstanceOf(AlinkTimeoutException.class);
        assertThat(second).isEmpty();
        assertThat(device.pendingRequests()).isEqualTo(1);
        vts.advanceTimeBy(Duration.ofMillis(3_999));
        assertThat(second).isEmpty();
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(second).singleElement().isInstanceOf(AlinkTimeoutException.class);
        assertThat(device.pendingRequests()).isZero();
        // the timer rearms for a request made after all the others ended
        List<Throwable> third = new ArrayList<>();
        device.postProperties(Map.of("n", 4)).subscribe(r -> {}, third::add);
        vts.advanceTimeBy(Duration.ofMillis(9_999));
        assertThat(third).isEmpty();
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(third).singleElement().isInstanceOf(AlinkTimeoutException.class);
    }

    @Test
    void aReplyIsHeldUntilTheSubscriberRequestsIt() {
        answer(PROPERTY_POST, 200);
        AliyunDevice device = connected();
        StepVerifier.create(device.postProperties(Map.of("n", 1)), 0)
                .expectSubscription()
                .then(
                        () ->
                                assertThat(device.pendingRequests())
                                        .as("settled, not yet requested")
                                        .isZero())
                .thenRequest(1)
                .assertNext(r -> assertThat(r.code()).isEqualTo(200))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void defaultTimeoutIsTenSecondsInVirtualTime() {
        StepVerifier.withVirtualTime(
                        () -> {
                            ScriptedMqttLink l = new ScriptedMqttLink();
                            AliyunDevice device = AliyunDevice.create(l, ID);
                            return device.connect()
                                    .then(device.postEvent("alarm", Map.of("errorCode", "error")));
                        })
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(AlinkTimeoutException.class)
                .verify(WAIT);
    }

    @Test
    void cancellingARequestForgetsItsId() {
        AliyunDevice device = connected();
        Disposable d = device.postProperties(Map.of("n", 1)).subscribe();
        assertThat(device.pendingRequests()).isEqualTo(1);
        d.dispose();
        assertThat(device.pendingRequests()).isZero();
    }

    @Test
    void oneRequestBeyondTheBoundFailsFastWithoutPublishing() {
        AliyunDevice device = connected(options().maxPendingRequests(2).build());
        device.postProperties(Map.of("n", 1)).subscribe();
        device.postProperties(Map.of("n", 2)).subscribe();
        StepVerifier.create(device.postProperties(Map.of("n", 3)))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(TooManyPendingRequestsException.class)
                                        .hasMessageContaining("2"))
                .verify(WAIT);
        assertThat(link.publishedTo(PROPERTY_POST)).hasSize(2);
        StepVerifier.create(device.syncTime())
                .expectError(TooManyPendingRequestsException.class)
                .verify(WAIT);
        assertThat(link.publishedTo(NTP_REQUEST)).isEmpty();
    }

    @Test
    void invalidInputIsRefusedBeforeAnythingIsSent() {
        AliyunDevice device = connected();
        Map<String, Object> tooMany = new HashMap<>();
        for (int i = 0; i <= 200; i++) {
            tooMany.put("p" + i, i);
        }
        assertThatThrownBy(() -> device.postProperties(tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("200");
        assertThatThrownBy(() -> device.postProperties(Map.of("t", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> device.postProperties(Map.of("bad-id", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> device.postEvent("property", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> device.postEvent("alarm", Map.of("x", Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> device.request("/a/+", "m", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(link.published()).isEmpty();
        assertThatThrownBy(() -> AliyunDeviceOptions.builder().publishQos(MqttQos.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("QoS 2");
    }

    @Test
    void aReplyWithTheRightIdOnAnotherTopicDoesNotCompleteTheRequest() {
        AliyunDevice device = connected();
        StepVerifier.create(device.postProperties(Map.of("n", 1)))
                .then(
                        () ->
                                link.deliver(
                                        "/sys/a1wFylTxYeD/co_0001/thing/event/alarm/post"
                                                + "_reply",
                                        "{\"id\":\"1\",\"code\":200,\"data\":{}}"))
                .then(() -> assertThat(device.pendingRequests()).isEqualTo(1))
                .then(
                        () ->
                                link.deliver(
                                        PROPERTY_POST + "_reply",
                                        "{\"id\":\"1\",\"code\":200,\"data\":{}}"))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void eventAndBatchPostsGoToTheirTopicsWithTheDocumentedParams() {
        answer("/sys/a1wFylTxYeD/co_0001/thing/event/#", 200);
        AliyunDevice device = connected();
        device.postEvent("alarm", Map.of("errorCode", "error"), 1524448722000L).block(WAIT);
        device.postBatch(BatchPost.builder().property("Power", "on", 1524448722000L).build())
                .block(WAIT);
        assertThat(json(link.publishedTo("/sys/a1wFylTxYeD/co_0001/thing/event/alarm/post").get(0)))
                .isEqualTo(
                        "{\"id\":\"1\",\"version\":\"1.0\",\"params\":{\"value\":{\"errorCode\":\"error\"},"
                                + "\"time\":1524448722000},\"method\":\"thing.event.alarm.post\"}");
        assertThat(
                        json(
                                link.publishedTo(
                                                "/sys/a1wFylTxYeD/co_0001/thing/event/property/batch/post")
                                        .get(0)))
                .isEqualTo(
                        "{\"id\":\"2\",\"version\":\"1.0\",\"params\":{\"properties\":{\"Power\":[{\"value\":\"on\","
                                + "\"time\":1524448722000}]}},\"method\":\"thing.event.property.batch.post\"}");
    }

    /**
     * Replies and messages delivered by the link's own thread reach the subscribers on that thread
     * without a scheduler, and on the scheduler with one; a timeout too.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void signalsArriveOnTheLinksThreadOrOnTheSchedulerWhenOneIsSet(boolean withScheduler)
            throws Exception {
        // not Schedulers.newSingle: with the virtual time installed, that would be the virtual-time
        // scheduler
        ExecutorService deviceThread =
                Executors.newSingleThreadExecutor(r -> new Thread(r, "device-scheduler"));
        Scheduler scheduler = Schedulers.fromExecutorService(deviceThread);
        ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "link-io"));
        try {
            AliyunDeviceOptions.Builder b = options().replyTimeout(Duration.ofMillis(200));
            AliyunDevice device = connected((withScheduler ? b.scheduler(scheduler) : b).build());
            assertThat(device.options().scheduler())
                    .isEqualTo(withScheduler ? Optional.of(scheduler) : Optional.empty());
            CompletableFuture<String> resultThread = new CompletableFuture<>();
            CompletableFuture<String> messageThread = new CompletableFuture<>();
            CompletableFuture<String> timeoutThread = new CompletableFuture<>();
            device.messages()
                    .subscribe(m -> messageThread.complete(Thread.currentThread().getName()));
            device.postProperties(Map.of("Power", "on"))
                    .subscribe(r -> resultThread.complete(Thread.currentThread().getName()));
            LinkMessage post = link.publishedTo(PROPERTY_POST).get(0);
            FrameVectors.Publish set = FrameVectors.publish("publish-property-set-down");
            io.submit(
                            () -> {
                                link.deliver(
                                        post.topic() + "_reply",
                                        "{\"id\":\"" + idOf(post) + "\",\"code\":200,\"data\":{}}");
                                link.deliver(set.topic(), set.payloadAsString());
                            })
                    .get(10, TimeUnit.SECONDS);
            device.postProperties(Map.of("Power", "off"))
                    .subscribe(
                            r -> {}, e -> timeoutThread.complete(Thread.currentThread().getName()));
            vts.advanceTimeBy(Duration.ofMillis(200)); // the timer fires on this thread

            String expected = withScheduler ? "device-scheduler" : "link-io";
            assertThat(resultThread.get(10, TimeUnit.SECONDS)).startsWith(expected);
            assertThat(messageThread.get(10, TimeUnit.SECONDS)).startsWith(expected);
            assertThat(timeoutThread.get(10, TimeUnit.SECONDS))
                    .startsWith(
                            withScheduler ? "device-scheduler" : Thread.currentThread().getName());
        } finally {
            io.shutdownNow();
            scheduler.dispose();
            deviceThread.shutdownNow();
        }
    }

    @Test
    void propertySetFromTheVectorIsDeliveredAndAnsweredOnSetReply() {
        AliyunDevice device = connected();
        FrameVectors.Publish vector = FrameVectors.publish("publish-property-set-down");
        List<ThingMessage> got = new ArrayList<>();
        StepVerifier.create(device.messages().take(1))
                .then(() -> link.deliver(vector.topic(), vector.payloadAsString()))
                .recordWith(() -> got)
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
        ThingMessage.PropertySet set = (ThingMessage.PropertySet) got.get(0);
        assertThat(set.properties()).containsEntry("PowerSwitch_1", 0);
        device.reply(set, 200, null).block(WAIT);
        LinkMessage reply =
                link.publishedTo("/sys/a1wFylTxYeD/co_0001/thing/service/property/set_reply")
                        .get(0);
        assertThat(json(reply)).isEqualTo("{\"id\":\"765951545\",\"code\":200,\"data\":{}}");
        assertThat(reply.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
    }

    @Test
    void asyncServiceIsAnsweredWithItsOutputOnServiceReplyAtThePublishQos() {
        AliyunDevice device = connected(options().publishQos(MqttQos.AT_LEAST_ONCE).build());
        List<ThingMessage> got = new ArrayList<>();
        Disposable d = device.messages().subscribe(got::add);
        link.deliver(
                "/sys/a1wFylTxYeD/co_0001/thing/service/SetWeight",
                "{\"method\":\"thing.service.SetWeight\",\"id\":\"105917531\",\"params\":{\"NewWeight\":100.8},\"version\":\"1.0\"}");
        d.dispose();
        ThingMessage.ServiceCall call = (ThingMessage.ServiceCall) got.get(0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CollectTime", "1536228947682");
        out.put("OldWeight", 100.101);
        device.reply(call, 200, out).block(WAIT);
        LinkMessage reply =
                link.publishedTo("/sys/a1wFylTxYeD/co_0001/thing/service/SetWeight_reply").get(0);
        assertThat(json(reply))
                .isEqualTo(
                        "{\"id\":\"105917531\",\"code\":200,\"data\":{\"CollectTime\":\"1536228947682\",\"OldWeight\":100.101}}");
        assertThat(reply.qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }

    @Test
    void syncServiceOverRrpcIsAnsweredOnTheSameTopicAtQos0EvenWhenPostsUseQos1() {
        AliyunDevice device = connected(options().publishQos(MqttQos.AT_LEAST_ONCE).build());
        String topic = "/ext/rrpc/998877/sys/a1wFylTxYeD/co_0001/thing/service/Query";
        List<ThingMessage> got = new ArrayList<>();
        Disposable d = device.messages().subscribe(got::add);
        assertThat(
                        link.deliver(
                                topic,
                                "{\"id\":\"31\",\"version\":\"1.0\",\"params\":{},\"method\":\"thing.service.Query\"}"))
                .isEqualTo(1);
        d.dispose();
        ThingMessage.RrpcCall call = (ThingMessage.RrpcCall) got.get(0);
        device.reply(call, 200, Map.of("temp", 21.0)).block(WAIT);
        LinkMessage reply = link.publishedTo(topic).get(0);
        assertThat(json(reply)).isEqualTo("{\"id\":\"31\",\"code\":200,\"data\":{\"temp\":21.0}}");
        assertThat(reply.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
    }

    @Test
    void systemRrpcIsAnsweredRawOnTheResponseTopicAtQos0() {
        AliyunDevice device = connected(options().publishQos(MqttQos.AT_LEAST_ONCE).build());
        List<ThingMessage> got = new ArrayList<>();
        Disposable d = device.messages().subscribe(got::add);
        link.deliver("/sys/a1wFylTxYeD/co_0001/rrpc/request/1234", "ping");
        d.dispose();
        ThingMessage.RrpcCall call = (ThingMessage.RrpcCall) got.get(0);
        device.replyRaw(call, "pong".getBytes(StandardCharsets.UTF_8)).block(WAIT);
        LinkMessage reply = link.publishedTo("/sys/a1wFylTxYeD/co_0001/rrpc/response/1234").get(0);
        assertThat(reply.payloadAsString()).isEqualTo("pong");
        assertThat(reply.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
    }

    @Test
    void unsolicitedUnknownAndMalformedMessagesAreDeliveredNotDropped() {
        AliyunDevice device = connected();
        StepVerifier.create(device.messages().take(3))
                .then(
                        () -> {
                            assertThat(
                                            link.deliver(
                                                    "/ext/error/a1wFylTxYeD/co_0001",
                                                    "{\"code\":520}"))
                                    .isEqualTo(1);
                            link.deliver(PROPERTY_SET, "{broken");
                            link.deliver(
                                    "/ota/device/upgrade/a1wFylTxYeD/co_0001",
                                    "{\"code\":\"1000\",\"data\":{\"version\":\"2.0.0\"},\"id\":1}");
                        })
                .assertNext(
                        m ->
                                assertThat(m)
                                        .isInstanceOfSatisfying(
                                                ThingMessage.UnknownMessage.class,
                                                u ->
                                                        assertThat(u.topic())
                                                                .isEqualTo(
                                                                        "/ext/error/a1wFylTxYeD/co_0001")))
                .assertNext(
                        m ->
                                assertThat(m)
                                        .isInstanceOfSatisfying(
                                                ThingMessage.UnknownMessage.class,
                                                u ->
                                                        assertThat(u.reason())
                                                                .startsWith("malformed")))
                .assertNext(m -> assertThat(m).isInstanceOf(ThingMessage.OtaUpgrade.class))
                .expectComplete()
                .verify(WAIT);
        assertThat(device.droppedMessages()).isZero();
    }

    @Test
    void messagesBeforeTheFirstSubscriberAreKeptUpToTheBoundAndTheRestCounted() {
        AliyunDevice device = connected(options().incomingBufferSize(8).build());
        for (int i = 1; i <= 10; i++) {
            link.deliver(PROPERTY_SET, "{\"id\":\"" + i + "\",\"params\":{\"n\":" + i + "}}");
        }
        assertThat(device.droppedMessages()).isEqualTo(2);
        List<String> ids = new ArrayList<>();
        Disposable d =
                device.messages().subscribe(m -> ids.add(((ThingMessage.PropertySet) m).id()));
        link.deliver(PROPERTY_SET, "{\"id\":\"11\",\"params\":{\"n\":11}}");
        d.dispose();
        assertThat(ids).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "11");
    }

    @Test
    void
            repliesThatSettledARequestAreNotKeptForALaterReaderButReachSubscribersAndUnmatchedOnesAreKept() {
        answer(PROPERTY_POST, 200);
        AliyunDevice device = connected(options().incomingBufferSize(2).build());
        for (int i = 0; i < 5; i++) {
            device.postProperties(Map.of("n", i)).block(WAIT);
        }
        assertThat(device.droppedMessages())
                .as("the answers to its own posts do not fill the buffer")
                .isZero();
        link.deliver(
                PROPERTY_POST + "_reply",
                "{\"id\":\"77\",\"code\":200,\"data\":{}}"); // nobody waits

        List<ThingMessage> seen = new ArrayList<>();
        Disposable d = device.messages().subscribe(seen::add);
        vts.advanceTime();
        assertThat(seen)
                .singleElement()
                .isInstanceOfSatisfying(
                        ThingMessage.Reply.class, r -> assertThat(r.reply().id()).isEqualTo("77"));

        device.postProperties(Map.of("n", 5)).block(WAIT);
        vts.advanceTime();
        assertThat(seen)
                .hasSize(2)
                .last()
                .isInstanceOfSatisfying(
                        ThingMessage.Reply.class, r -> assertThat(r.reply().id()).isEqualTo("6"));
        d.dispose();
    }

    @Test
    void messagesAreSharedBetweenSubscribers() {
        AliyunDevice device = connected();
        List<ThingMessage> a = new ArrayList<>();
        List<ThingMessage> b = new ArrayList<>();
        Disposable da = device.messages().subscribe(a::add);
        Disposable db = device.messages().subscribe(b::add);
        link.deliver(PROPERTY_SET, "{\"id\":\"1\",\"params\":{\"n\":1}}");
        da.dispose();
        db.dispose();
        assertThat(a).hasSize(1).isEqualTo(b);
    }

    @Test
    void syncTimeSendsDeviceSendTimeAndComputesServerTimeFromTheMatchingResponse() {
        AliyunDevice device = connected();
        clock.set(1_000);
        StepVerifier.create(device.syncTime())
                .then(
                        () -> {
                            LinkMessage request =
                                    link.publishedTo("/ext/ntp/a1wFylTxYeD/co_0001/request").get(0);
                            assertThat(request.payloadAsString())
                                    .isEqualTo("{\"deviceSendTime\":\"1000\"}");
                            assertThat(request.qos()).isEqualTo(MqttQos.AT_MOST_ONCE);
                            clock.set(1_200);
                            link.deliver(
                                    NTP_RESPONSE,
                                    "{\"deviceSendTime\":\"999\",\"serverRecvTime\":\"1\",\"serverSendTime\":\"2\"}");
                            assertThat(device.pendingRequests()).isEqualTo(1);
                            link.deliver(
                                    NTP_RESPONSE,
                                    "{\"deviceSendTime\":\"1000\",\"serverRecvTime\":\"1600\",\"serverSendTime\":\"1610\"}");
                        })
                .assertNext(
                        n -> {
                            assertThat(n.deviceRecvTime()).isEqualTo(1_200);
                            assertThat(n.serverTimeMillis()).isEqualTo(1_705);
                            assertThat(n.offsetMillis()).isEqualTo(505);
                        })
                .expectComplete()
                .verify(WAIT);
        assertThat(device.pendingRequests()).isZero();
    }

    @Test
    void replyAndNtpResponseWhoseCallerDisconnectsAtOnceAreNotCountedAsDropped() {
        AliyunDevice device = connected();
        device.postProperties(Map.of("Power", 1)).flatMap(r -> device.disconnect()).subscribe();
        String id = idOf(link.publishedTo(PROPERTY_POST).get(0));

        // the reply completes the post; its caller disconnects before the reply is offered to
        // messages()
        link.deliver(PROPERTY_POST + "_reply", "{\"id\":\"" + id + "\",\"code\":200,\"data\":{}}");

        assertThat(link.disconnectCount()).isEqualTo(1);
        assertThat(device.droppedMessages()).isZero();

        ScriptedMqttLink second = new ScriptedMqttLink();
        AliyunDevice other = AliyunDevice.create(second, ID, options().build());
        other.connect().block(WAIT);
        clock.set(5_000);
        other.syncTime().flatMap(n -> other.disconnect()).subscribe();
        second.deliver(
                NTP_RESPONSE,
                "{\"deviceSendTime\":\"5000\",\"serverRecvTime\":\"5001\",\"serverSendTime\":\"5002\"}");

        assertThat(second.disconnectCount()).isEqualTo(1);
        assertThat(other.droppedMessages()).isZero();
    }

    @Test
    void syncTimeTimesOutWithoutAResponse() {
        AliyunDevice device = connected(options().replyTimeout(Duration.ofSeconds(3)).build());
        StepVerifier.create(device.syncTime())
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(3)))
                .expectError(AlinkTimeoutException.class)
                .verify(WAIT);
        assertThat(device.pendingRequests()).isZero();
        assertThat(vts.now(TimeUnit.MILLISECONDS)).isEqualTo(3_000);
    }

    @Test
    void disconnectFailsWaitingRequestsCompletesMessagesAndClosesTheLink() {
        AliyunDevice device = connected();
        StepVerifier.create(device.postProperties(Map.of("n", 1)))
                .then(
                        () ->
                                StepVerifier.create(device.messages())
                                        .then(() -> device.disconnect().block(WAIT))
                                        .expectComplete()
                                        .verify(WAIT))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isExactlyInstanceOf(AlinkException.class)
                                        .hasMessageContaining("disconnected"))
                .verify(WAIT);
        assertThat(link.disconnectCount()).isEqualTo(1);
        assertThat(device.pendingRequests()).isZero();
        StepVerifier.create(device.postProperties(Map.of("n", 2)))
                .expectError(AlinkException.class)
                .verify(WAIT);
    }

    @Test
    void disconnectLeavesTheSubscriptionsToTheLinksDisconnectRatherThanUnsubscribingFirst() {
        AliyunDevice device = connected();
        assertThat(link.activeFilters()).containsExactlyInAnyOrderElementsOf(DEVICE_SUBSCRIPTIONS);
        device.disconnect().block(WAIT);
        assertThat(link.disconnectCount()).isEqualTo(1);
        assertThat(link.unsubscribed())
                .isEmpty(); // the clean session's disconnect drops them on the broker
        assertThat(link.activeFilters()).isEmpty();
        StepVerifier.create(device.messages()).expectComplete().verify(WAIT);
    }

    @Test
    void connectCompletesOnlyOnceTheBrokerAcknowledgedTheSubscriptions() {
        link.holdAcks();
        AliyunDevice device = AliyunDevice.create(link, ID, options().build());
        CompletableFuture<Void> connected = device.connect().toFuture();
        assertThat(link.subscribeCalls()).containsExactly(DEVICE_SUBSCRIPTIONS);
        assertThat(connected).as("subscribed, not yet acknowledged").isNotDone();
        assertThat(link.releaseAcks()).isEqualTo(1);
        assertThat(connected).isCompleted();
        assertThat(device.refusedSubscriptions()).isEmpty();
    }

    @Test
    void aRefusedFilterFailsConnectNamingItAndTheDeviceLetsItsSubscriptionGo() {
        String ota = "/ota/device/upgrade/a1wFylTxYeD/co_0001";
        String ntp = "/ext/ntp/a1wFylTxYeD/co_0001/response";
        link.refuse(ota).refuse(ntp);
        AliyunDevice device = AliyunDevice.create(link, ID, options().build());
        StepVerifier.create(device.connect())
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOfSatisfying(
                                                SubscriptionRefusedException.class,
                                                r ->
                                                        assertThat(r.filters())
                                                                .containsExactlyInAnyOrder(
                                                                        ota, ntp)))
                .verify(WAIT);
        assertThat(device.refusedSubscriptions()).containsExactlyInAnyOrder(ota, ntp);
        assertThat(link.activeFilters()).as("the granted filters were let go").isEmpty();
    }

    @Test
    void aRefusedSubscriptionIsReportedAndTheOthersStillDeliver() {
        link.refuse("/ota/device/upgrade/a1wFylTxYeD/co_0001");
        answer(PROPERTY_POST, 200);
        AliyunDevice device = connected(options().requireAllSubscriptions(false).build());
        assertThat(device.refusedSubscriptions())
                .containsExactly("/ota/device/upgrade/a1wFylTxYeD/co_0001");
        assertThat(device.postProperties(Map.of("n", 1)).block(WAIT).code()).isEqualTo(200);
    }

    @Test
    void whenEveryFilterIsRefusedEachIsListedAndUnsolicitedMessagesStillArrive() {
        DEVICE_SUBSCRIPTIONS.forEach(link::refuse);
        AliyunDevice device = connected(options().requireAllSubscriptions(false).build());
        assertThat(device.refusedSubscriptions())
                .containsExactlyInAnyOrderElementsOf(DEVICE_SUBSCRIPTIONS);
        List<ThingMessage> got = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        Disposable d =
                device.messages()
                        .subscribe(got::add, e -> ended.add("error"), () -> ended.add("complete"));
        assertThat(link.deliver(PROPERTY_SET, "{\"id\":\"7\",\"params\":{\"n\":1}}")).isEqualTo(1);
        vts.advanceTime();
        assertThat(got).singleElement().isInstanceOf(ThingMessage.PropertySet.class);
        assertThat(ended).isEmpty();
        d.dispose();
    }

    @Test
    void aPublishFailureFailsTheRequestAndForgetsItsId() {
        AliyunDevice device = connected();
        link.failPublish(new IllegalStateException("link down"));
        StepVerifier.create(device.postProperties(Map.of("n", 1)))
                .expectErrorMessage("link down")
                .verify(WAIT);
        assertThat(device.pendingRequests()).isZero();
    }

    @Test
    void additionalSubscriptionsDeliverCustomTopicsAndCarryRepliesTheDefaultsDoNotCover() {
        String configGetReply = CONFIG_GET + "_reply";
        link.onPublish(
                CONFIG_GET,
                (m, l) ->
                        l.deliver(
                                configGetReply,
                                "{\"id\":\""
                                        + idOf(m)
                                        + "\",\"code\":200,\"data\":{\"configId\":\"c1\"}}"));
        AliyunDevice plain = AliyunDevice.create(new ScriptedMqttLink(), ID, options().build());
        assertThatThrownBy(() -> plain.request(CONFIG_GET, "thing.config.get", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("additionalSubscription");

        AliyunDevice device =
                connected(
                        options()
                                .additionalSubscription(configGetReply)
                                .additionalSubscription("/a1wFylTxYeD/co_0001/user/get")
                                .build());
        assertThat(link.activeFilters()).contains(configGetReply, "/a1wFylTxYeD/co_0001/user/get");
        assertThat(
                        device.request(
                                        CONFIG_GET,
                                        "thing.config.get",
                                        Map.of("configScope", "product", "getType", "file"))
                                .block(WAIT)
                                .dataAsMap())
                .containsEntry("configId", "c1");
        List<ThingMessage> got = new ArrayList<>();
        Disposable d = device.messages().subscribe(got::add);
        assertThat(link.deliver("/a1wFylTxYeD/co_0001/user/get", "hi")).isEqualTo(1);
        d.dispose();
        assertThat(got)
                .last()
                .isEqualTo(
                        new ThingMessage.UnknownMessage(
                                "/a1wFylTxYeD/co_0001/user/get",
                                "hi".getBytes(StandardCharsets.UTF_8),
                                MqttQos.AT_MOST_ONCE,
                                "no thing-model decoder for this topic"));
    }
}
