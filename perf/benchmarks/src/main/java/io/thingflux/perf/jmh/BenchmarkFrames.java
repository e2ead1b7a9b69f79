package io.thingflux.perf.jmh;

import java.util.HexFormat;

/**
 * The seed frames the codec benchmarks run on, copied from {@code shared/vectors/mqtt-frames.txt}
 * (real frames exchanged with the Aliyun IoT Platform) so the benchmark jar runs from any folder. A
 * unit test checks they still equal the vectors file.
 */
public enum BenchmarkFrames {

    /** {@code connect}: 118 bytes, username and password, clean session, keepalive 300 s. */
    CONNECT(
            "connect",
            "10 74 00 04 4D 51 54 54 04 C2 01 2C 00 29 63 6F 5F 30 30 30 31 7C 73 65 63 75 72 65 6D 6F 64 65 3D 33 2C 73 69 67 6E 6D"
                    + " 65 74 68 6F 64 3D 68 6D 61 63 73 68 61 31 7C 00 13 63 6F 5F 30 30 30 31 26 61 31 77 46 79 6C 54 78 59 65 44 00 28 65 37"
                    + " 38 32 62 35 65 35 35 62 33 37 36 35 35 63 32 37 38 31 32 61 36 30 63 33 30 37 62 30 61 37 35 37 35 64 38 66 36 64"),
    /** {@code subscribe-property-set-qos1}: one filter, QoS 1. */
    SUBSCRIBE(
            "subscribe-property-set-qos1",
            "82 38 00 03 00 33 2F 73 79 73 2F 61 31 77 46 79 6C 54 78 59 65 44 2F 63 6F 5F 30 30 30 31 2F 74 68 69 6E 67 2F 73 65 72"
                    + " 76 69 63 65 2F 70 72 6F 70 65 72 74 79 2F 73 65 74 01"),
    /** {@code publish-property-post-up-1}: QoS 0, 157 bytes, an Alink property post. */
    PUBLISH(
            "publish-property-post-up-1",
            "30 9A 01 00 32 2F 73 79 73 2F 61 31 77 46 79 6C 54 78 59 65 44 2F 63 6F 5F 30 30 30 31 2F 74 68 69 6E 67 2F 65 76 65 6E"
                    + " 74 2F 70 72 6F 70 65 72 74 79 2F 70 6F 73 74 7B 22 6D 65 74 68 6F 64 22 3A 22 74 68 69 6E 67 2E 65 76 65 6E 74 2E 70 72"
                    + " 6F 70 65 72 74 79 2E 70 6F 73 74 22 2C 22 69 64 22 3A 22 31 32 33 34 35 36 37 38 39 22 2C 22 70 61 72 61 6D 73 22 3A 7B"
                    + " 22 50 6F 77 65 72 53 77 69 74 63 68 5F 31 22 3A 31 7D 2C 22 76 65 72 73 69 6F 6E 22 3A 22 31 2E 30 2E 30 22 7D");

    private final String vectorName;
    private final byte[] bytes;

    BenchmarkFrames(String vectorName, String hex) {
        this.vectorName = vectorName;
        this.bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** The frame's name in {@code mqtt-frames.txt}. */
    public String vectorName() {
        return vectorName;
    }

    /** A copy of the frame's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }
}
