package io.thingflux.perf.measure;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.FakeBrokerAccess;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.at.JSerialCommTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Measures messages per second through the pty at 115200 baud and compares them with the line-rate
 * limit (bytes per second ÷ bytes per message on the busier direction). A measurement, not a test:
 * it asserts nothing about speed. Run it from the benchmarks jar (Linux or macOS, it opens a pty):
 * {@code java -cp perf/benchmarks/target/thingflux-benchmarks.jar
 * io.thingflux.perf.measure.PtyThroughputMeasurement}.
 *
 * <p>A pseudo-terminal ignores the baud rate, so ratios above 1 mean the stack is faster than a
 * real UART would let it be; the ratio shows how much headroom the AT engine and emulator leave.
 */
public final class PtyThroughputMeasurement {

    private static final int BAUD = 115_200;

    /** 8N1: ten bits per byte. */
    private static final double LINE_BYTES_PER_SECOND = BAUD / 10.0;

    private static final int WARM_UP = 300;
    private static final int MESSAGES = 3000;
    private static final String POST = "/sys/a1wFylTxYeD/co_0001/thing/event/property/post";
    private static final String SET = "/sys/a1wFylTxYeD/co_0001/thing/service/property/set";
    private static final byte[] PAYLOAD =
            ("{\"method\":\"thing.event.property.post\",\"id\":\"1142523359\","
                            + "\"params\":{\"PowerSwitch_1\":0},\"version\":\"1.0.0\"}")
                    .getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        new PtyThroughputMeasurement().measure();
    }

    void measure() throws Exception {
        FakeBrokerAccess broker = new FakeBrokerAccess();
        Ec600sEmulator emulator = Ec600sEmulator.builder(broker.factory()).build();
        Pty pty = emulator.attachPty(null);
        Ec600sLink link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), BAUD),
                        Ec600sOptions.builder()
                                .aliyunDevice(
                                        new AliyunDeviceIdentity(
                                                "a1wFylTxYeD",
                                                "co_0001",
                                                "7ab0c4b3532b5783df5fdc58a2895d7a"))
                                .clientId("clientExample_0")
                                .subscriptionBuffer(MESSAGES + WARM_UP) // measure the pipe, not the
                                // slow-subscriber policy
                                .build());
        try {
            link.connect().block(Duration.ofSeconds(30));
            for (MqttQos qos : new MqttQos[] {MqttQos.AT_MOST_ONCE, MqttQos.AT_LEAST_ONCE}) {
                publish(link, WARM_UP, qos);
                long t0 = System.nanoTime();
                publish(link, MESSAGES, qos);
                double seconds = (System.nanoTime() - t0) / 1e9;
                String msgId = qos == MqttQos.AT_MOST_ONCE ? "0" : "12345";
                int up =
                        ("AT+QMTPUBEX=0,"
                                                + msgId
                                                + ","
                                                + qos.code()
                                                + ",0,\""
                                                + POST
                                                + "\","
                                                + PAYLOAD.length
                                                + "\r")
                                        .length()
                                + PAYLOAD.length;
                int down =
                        "\r\n> ".length()
                                + "\r\nOK\r\n".length()
                                + ("\r\n+QMTPUBEX: 0," + msgId + ",0\r\n").length();
                report(
                        "uplink QMTPUBEX qos " + qos.code(),
                        MESSAGES / seconds,
                        Math.max(up, down),
                        up,
                        down);
            }

            AtomicInteger received = new AtomicInteger();
            Disposable sub =
                    link.subscribe(SET, MqttQos.AT_MOST_ONCE)
                            .subscribe(m -> received.incrementAndGet());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (broker.subscribers(SET) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            int total = WARM_UP + MESSAGES;
            long t0 = 0;
            for (int i = 0; i < total; i++) {
                if (i == WARM_UP) {
                    while (received.get() < WARM_UP) {
                        Thread.sleep(1);
                    }
                    t0 = System.nanoTime();
                }
                broker.publish(SET, PAYLOAD, MqttQos.AT_MOST_ONCE);
            }
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("dropped by slow subscribers: " + link.droppedMessages());
            int down =
                    ("\r\n+QMTRECV: 0,0,\"" + SET + "\"," + PAYLOAD.length + ",\"").length()
                            + PAYLOAD.length
                            + 3;
            report(
                    "downlink +QMTRECV qos 0 ("
                            + (received.get() - WARM_UP)
                            + " of "
                            + MESSAGES
                            + " received)",
                    (received.get() - WARM_UP) / seconds,
                    down,
                    0,
                    down);
            sub.dispose();
        } finally {
            link.disconnect().block(Duration.ofSeconds(30));
            emulator.close();
        }
    }

    private static void publish(Ec600sLink link, int n, MqttQos qos) {
        Flux.range(0, n)
                .flatMap(i -> link.publish(POST, PAYLOAD, qos), 8)
                .blockLast(Duration.ofMinutes(5));
    }

    private static void report(
            String what, double perSecond, int bytesPerMessage, int up, int down) {
        double limit = LINE_BYTES_PER_SECOND / bytesPerMessage;
        System.out.printf(
                "%s: %.0f msg/s measured; line-rate limit at %d baud %.1f msg/s (%d bytes/msg on the busier"
                        + " direction; host->module %d, module->host %d); ratio %.1f%n",
                what, perSecond, BAUD, limit, bytesPerMessage, up, down, perSecond / limit);
    }
}
