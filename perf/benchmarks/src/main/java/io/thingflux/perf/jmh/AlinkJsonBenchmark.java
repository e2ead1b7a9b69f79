package io.thingflux.perf.jmh;

import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkRequest;
import io.thingflux.alink.AlinkTopics;
import io.thingflux.alink.ThingMessage;
import io.thingflux.alink.ThingMessageDecoder;
import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Alink JSON on the device's hot paths: decoding the seed property set ({@code
 * publish-property-set-down} of {@code shared/vectors/mqtt-frames.txt}) as an envelope and as a
 * {@link ThingMessage} routed by its topic, encoding a property post like the seed {@code
 * publish-property-post-up-1}, and encoding and decoding the reply. {@link #setUp()} checks every
 * method's output before anything is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class AlinkJsonBenchmark {

    /** The payload of the seed frame {@code publish-property-set-down}. */
    static final String PROPERTY_SET =
            "{\"method\":\"thing.service.property.set\",\"id\":\"765951545\","
                    + "\"params\":{\"PowerSwitch_1\":0},\"version\":\"1.0.0\"}";

    /** The platform's reply to a property post. */
    static final String POST_REPLY =
            "{\"id\":\"123456789\",\"code\":200,\"data\":{},\"message\":\"success\","
                    + "\"method\":\"thing.event.property.post\",\"version\":\"1.0\"}";

    private final AlinkTopics topics = new AlinkTopics("a1wFylTxYeD", "co_0001");
    private byte[] propertySet;
    private byte[] postReply;
    private LinkMessage propertySetMessage;
    private ThingMessageDecoder decoder;
    private Map<String, Object> postParams;

    @Setup
    public void setUp() {
        propertySet = PROPERTY_SET.getBytes(StandardCharsets.UTF_8);
        postReply = POST_REPLY.getBytes(StandardCharsets.UTF_8);
        propertySetMessage =
                new LinkMessage(topics.propertySet(), propertySet, MqttQos.AT_MOST_ONCE, false);
        decoder = new ThingMessageDecoder(topics, System::currentTimeMillis);
        postParams = new LinkedHashMap<>();
        postParams.put("PowerSwitch_1", 1);
        postParams.put("Temperature", 21.5);

        AlinkRequest set = decodePropertySet();
        check(
                set.id().equals("765951545")
                        && set.paramsAsMap().equals(Map.of("PowerSwitch_1", 0)),
                "property set");
        check(
                decodePropertySetMessage() instanceof ThingMessage.PropertySet p
                        && p.id().equals("765951545"),
                "property set message");
        check(
                new String(encodePropertyPost(), StandardCharsets.UTF_8)
                        .equals(
                                "{\"id\":\"123456789\",\"version\":"
                                        + "\"1.0\",\"params\":{\"PowerSwitch_1\":1,\"Temperature\":21.5},\"method\":\"thing.event.property.post\"}"),
                "property post");
        check(decodeReply().code() == 200 && decodeReply().id().equals("123456789"), "reply");
        check(
                Arrays.equals(
                        encodeReply(),
                        "{\"id\":\"765951545\",\"code\":200,\"data\":{}}"
                                .getBytes(StandardCharsets.UTF_8)),
                "encoded reply");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(
                    "the " + what + " benchmark does not produce the expected result");
        }
    }

    /** The property set's envelope. */
    @Benchmark
    public AlinkRequest decodePropertySet() {
        return AlinkJson.decodeRequest(propertySet);
    }

    /** What the device does with every incoming message: route by topic, then decode. */
    @Benchmark
    public ThingMessage decodePropertySetMessage() {
        return decoder.decode(propertySetMessage);
    }

    /** A property post of two values. */
    @Benchmark
    public byte[] encodePropertyPost() {
        return AlinkJson.encodeRequest("123456789", "thing.event.property.post", postParams, null);
    }

    /** The platform's reply to a post. */
    @Benchmark
    public AlinkReply decodeReply() {
        return AlinkJson.decodeReply(postReply);
    }

    /** The device's answer to a property set. */
    @Benchmark
    public byte[] encodeReply() {
        return AlinkJson.encodeReply("765951545", 200, Map.of(), null);
    }
}
