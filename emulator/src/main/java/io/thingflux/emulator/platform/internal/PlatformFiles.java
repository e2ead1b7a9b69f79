package io.thingflux.emulator.platform.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Firmware and configuration files served on the admin listener under {@code /files/...}, as the
 * platform's OSS links: each URL is signed ({@code Expires} and {@code Signature}, an HMAC-SHA256
 * with a key made at start) and expires after {@link #URL_LIFETIME}; a bad or expired signature is
 * answered 403. {@code Range: bytes=N-} (or {@code N-M}) is answered 206. The body is streamed in
 * {@link #CHUNK} pieces as the connection can take them (a file is never copied per download).
 * Faults injected into a firmware ({@link OtaService#injectFault}) cut the transfer at a fraction
 * of the file (the connection is closed) or flip a byte in its middle.
 */
final class PlatformFiles {

    /** How long a file URL stays valid. */
    static final Duration URL_LIFETIME = Duration.ofHours(1);

    /** The size of each piece written. */
    static final int CHUNK = 16 * 1024;

    private final byte[] key = new byte[32];
    private volatile String base = "http://127.0.0.1";
    private OtaService ota;
    private PlatformServicesResponder services;

    PlatformFiles() {
        new SecureRandom().nextBytes(key);
    }

    void bind(OtaService ota, PlatformServicesResponder services) {
        this.ota = ota;
        this.services = services;
    }

    /** Sets where the files are served, e.g. {@code https://127.0.0.1:8443}. */
    void base(String base) {
        this.base = base;
    }

    String firmwareUrl(String firmwareId) {
        return signed("/files/ota/" + firmwareId);
    }

    String configUrl(String pk, String configId) {
        return signed("/files/config/" + pk + "/" + configId);
    }

    private String signed(String path) {
        long expires = System.currentTimeMillis() / 1000 + URL_LIFETIME.toSeconds();
        return base + path + "?Expires=" + expires + "&Signature=" + sign(path, expires);
    }

    private String sign(String path, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(
                            mac.doFinal((path + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean handles(String path) {
        return path.startsWith("/files/");
    }

    /** Answers a GET of {@code path} (under {@code /files/}). */
    void serve(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.method().equals(HttpMethod.GET)) {
            plain(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET", keepAlive);
            return;
        }
        Map<String, List<String>> q = new QueryStringDecoder(request.uri()).parameters();
        String expires = first(q, "Expires");
        String signature = first(q, "Signature");
        long exp;
        try {
            exp = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            exp = -1;
        }
        if (signature == null
                || exp < System.currentTimeMillis() / 1000
                || !MessageDigest.isEqual(
                        sign(path, exp).getBytes(StandardCharsets.UTF_8),
                        signature.getBytes(StandardCharsets.UTF_8))) {
            plain(ctx, HttpResponseStatus.FORBIDDEN, "bad or expired signature", keepAlive);
            return;
        }
        String[] parts = path.substring("/files/".length()).split("/");
        try {
            if (parts.length == 2 && parts[0].equals("ota")) {
                OtaService.Firmware f = ota.firmware(parts[1]);
                if (stream(ctx, request, f.size(), f::open, ota.takeFault(f.id()), keepAlive)) {
                    ota.countDownload(f.id(), rangeStart(request));
                }
                return;
            }
            if (parts.length == 3 && parts[0].equals("config")) {
                PlatformServicesResponder.ProductConfig c = services.config(parts[1], parts[2]);
                if (c != null) {
                    byte[] content = c.content();
                    stream(
                            ctx,
                            request,
                            content.length,
                            () -> new java.io.ByteArrayInputStream(content),
                            null,
                            keepAlive);
                    return;
                }
            }
        } catch (RuntimeException e) {
            // unknown firmware: not found below
        }
        plain(ctx, HttpResponseStatus.NOT_FOUND, "no such file", keepAlive);
    }

    interface Opener {
        InputStream open() throws IOException;
    }

    private static long rangeStart(FullHttpRequest request) {
        String range = request.headers().get(HttpHeaderNames.RANGE);
        if (range == null || !range.startsWith("bytes=")) {
            return 0;
        }
        try {
            return Long.parseLong(range.substring("bytes=".length()).split("-", -1)[0].strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Streams the file (or its range); returns whether a body is being sent. */
    private static boolean stream(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            long size,
            Opener opener,
            OtaService.Fault fault,
            boolean keepAlive) {
        long from = 0;
        long to = size - 1;
        String range = request.headers().get(HttpHeaderNames.RANGE);
        boolean partial = false;
        if (range != null && range.startsWith("bytes=")) {
            String[] r = range.substring("bytes=".length()).split("-", -1);
            try {
                from = Long.parseLong(r[0].strip());
                if (r.length > 1 && !r[1].isBlank()) {
                    to = Math.min(to, Long.parseLong(r[1].strip()));
                }
                partial = true;
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > to) {
                HttpResponse refused =
                        new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1,
                                HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                refused.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
                refused.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE);
                return false;
            }
        }
        long length = to - from + 1;
        InputStream in;
        try {
            in = opener.open();
            in.skipNBytes(from);
        } catch (IOException e) {
            plain(ctx, HttpResponseStatus.NOT_FOUND, "cannot read the file", keepAlive);
            return false;
        }
        long limit = length;
        boolean cut = false;
        if (fault != null && fault.kind().equals("cut")) {
            long cutAt = (long) (size * fault.at());
            if (cutAt > from && cutAt < from + length) {
                limit = cutAt - from;
                cut = true;
            }
        } else if (fault != null && fault.kind().equals("corrupt")) {
            in = new Corrupting(in, from, size / 2);
        }
        HttpResponse response =
                new DefaultHttpResponse(
                        HttpVersion.HTTP_1_1,
                        partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .set(HttpHeaderNames.CONTENT_LENGTH, length);
        if (partial) {
            response.headers()
                    .set(HttpHeaderNames.CONTENT_RANGE, "bytes " + from + "-" + to + "/" + size);
        }
        if (keepAlive && !cut) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response);
        InputStream body = new Limited(in, limit);
        ChannelFuture done =
                ctx.writeAndFlush(new HttpChunkedInput(new ChunkedStream(body, CHUNK)));
        if (cut || !keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
        return true;
    }

    private static void plain(
            ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
        DefaultFullHttpResponse r =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        status,
                        Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** At most {@code limit} bytes of a stream. */
    private static final class Limited extends FilterInputStream {
        private long left;

        Limited(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(left, super.available());
        }
    }

    /** A stream starting at file offset {@code from} with the byte at {@code flip} inverted. */
    private static final class Corrupting extends FilterInputStream {
        private long position;
        private final long flip;

        Corrupting(InputStream in, long from, long flip) {
            super(in);
            this.position = from;
            this.flip = flip;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && position++ == flip) {
                b ^= 0xFF;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                if (flip >= position && flip < position + n) {
                    b[off + (int) (flip - position)] ^= (byte) 0xFF;
                }
                position += n;
            }
            return n;
        }
    }
}
