package io.thingflux.netty.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Builds MQTT frames for tests from readable pieces, so a malformed case shows which byte is wrong.
 */
final class WireBytes {

    /**
     * A leak-tracked allocator: under the paranoid leak level every buffer it hands out is watched.
     */
    static final UnpooledByteBufAllocator TRACKED = new UnpooledByteBufAllocator(false);

    /**
     * The same for direct buffers, which the decoder reads through a copy rather than their array.
     */
    static final UnpooledByteBufAllocator TRACKED_DIRECT = new UnpooledByteBufAllocator(true);

    private WireBytes() {}

    /** Space-separated hex to bytes. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** A length-prefixed UTF-8 string field, as hex. */
    static String str(String s) {
        return field(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A length-prefixed field holding exactly {@code bytes} (which may be malformed UTF-8), as hex.
     */
    static String field(byte[] bytes) {
        return String.format("%04x", bytes.length) + HexFormat.of().formatHex(bytes);
    }

    /**
     * A frame with first byte {@code firstByte} and a body made of the hex pieces; the remaining
     * length is computed.
     */
    static byte[] frame(int firstByte, String... bodyHex) {
        byte[] body = hex(String.join("", bodyHex));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int value = body.length;
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A leak-tracked buffer holding {@code bytes[from, to)}. */
    static ByteBuf buffer(byte[] bytes, int from, int to) {
        ByteBuf buf = TRACKED.buffer(Math.max(1, to - from));
        buf.writeBytes(bytes, from, to - from);
        return buf;
    }

    static ByteBuf buffer(byte[] bytes) {
        return buffer(bytes, 0, bytes.length);
    }

    /** A leak-tracked direct buffer holding {@code bytes}. */
    static ByteBuf directBuffer(byte[] bytes) {
        ByteBuf buf = TRACKED_DIRECT.directBuffer(Math.max(1, bytes.length));
        buf.writeBytes(bytes);
        return buf;
    }

    /** Reads and releases {@code buf}. */
    static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
