package io.thingflux.cli;

import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.mqtt.MqttQos;
import picocli.CommandLine.Option;

/**
 * The options every thing-model console shares ({@code device}, {@code ec600s}, {@code gateway}):
 * the legacy public instance's region, the QoS of posts and replies, and how incoming requests are
 * answered. Picocli reads them from this superclass of the console's class.
 */
abstract class ThingConsoleOptions {

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
