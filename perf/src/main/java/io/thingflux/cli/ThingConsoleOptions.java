package io.thingflux.cli;

import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.mqtt.MqttQos;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The options every thing-model console shares ({@code device}, {@code ec600s}, {@code gateway}):
 * the legacy public instance's region, the QoS of posts and replies, and how incoming requests are
 * answered. Picocli reads them from this superclass of the console's class.
 */
abstract class ThingConsoleOptions {

    /** Posts from stdin that may await their reply at once. */
    static final int MAX_POSTS_IN_FLIGHT = 64;

    /** What a console does with one non-blank stdin line (numbered from 1); never fails. */
    interface LinePoster {
        Mono<Void> post(long line, String text);
    }

    /**
     * Hands each non-blank stdin line to {@code poster}, read on a bounded-elastic thread, at most
     * {@link #MAX_POSTS_IN_FLIGHT} posts at once; completes at EOF when all are answered.
     */
    static Mono<Void> postEachLine(InputStream in, LinePoster poster) {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return Flux.fromStream(reader::lines)
                .subscribeOn(Schedulers.boundedElastic())
                .index()
                .filter(t -> !t.getT2().isBlank())
                .flatMap(t -> poster.post(t.getT1() + 1, t.getT2()), MAX_POSTS_IN_FLIGHT)
                .then();
    }

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description =
                    "Region of the legacy public instance; the host is PK.iot-as-mqtt.REGION.aliyuncs.com "
                            + "(default: "
                            + AliyunEndpoints.DEFAULT_REGION
                            + "). Ignored with --host.")
    String region;

    @Option(
            names = "--qos",
            paramLabel = "0|1",
            description = "QoS of posts and replies (default: ${DEFAULT-VALUE}).")
    int qos = 0;

    @Option(
            names = "--reply-code",
            paramLabel = "CODE",
            description =
                    "Code answered to property sets, service calls, RRPC calls and config pushes "
                            + "(default: ${DEFAULT-VALUE}).")
    int replyCode = 200;

    @Option(
            names = "--no-auto-reply",
            description = "Do not answer incoming requests (only print them).")
    boolean noAutoReply;

    /** The legacy public instance's host of product {@code productKey} in the chosen region. */
    String legacyHost(String productKey) {
        return AliyunEndpoints.legacyHost(
                productKey, region != null ? region : AliyunEndpoints.DEFAULT_REGION);
    }

    /** The QoS of posts and replies. @throws IllegalArgumentException when it is not 0 or 1 */
    MqttQos publishQos() {
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException(
                    "--qos must be 0 or 1 (the platform has no QoS 2), was " + qos);
        }
        return MqttQos.valueOf(qos);
    }
}
