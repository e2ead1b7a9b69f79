package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.SignMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform's HTTPS dynamic registration ({@code POST /auth/register/device}, a form of {@code
 * productKey, deviceName, random, sign, signMethod}), served on the admin listener. With
 * pre-registration the device must be known (configured, or registered by RegisterDevice) and not
 * yet activated; the answer is {@code
 * {"code":200,"data":{"productKey","deviceName","deviceSecret"}}}. With {@code authType=regnwl} (no
 * pre-registration) the answer carries a {@code clientId} and {@code deviceToken}, which the
 * emulator keeps (at most {@link #MAX_TOKENS}) for a later {@code authType=connwl} connection.
 * Errors: 460 missing parameters, 6250 unknown product, 6288 dynamic registration off (no product
 * secret), 6289 already activated, 6292 bad signMethod, 6600 bad sign, 6100 device not found.
 */
final class HttpsRegistrationEndpoint {

    static final String PATH = "/auth/register/device";

    static final int MAX_TOKENS = 100_000;

    private final BrokerEngine engine;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, String> tokens = new ConcurrentHashMap<>();

    HttpsRegistrationEndpoint(BrokerEngine engine) {
        this.engine = engine;
        engine.authenticator().tokens(tokens::get);
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        Map<String, List<String>> form =
                new QueryStringDecoder(
                                request.content().toString(StandardCharsets.UTF_8),
                                StandardCharsets.UTF_8,
                                false)
                        .parameters();
        ObjectNode answer = register(form);
        DefaultFullHttpResponse r =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(EmulatorJson.bytes(answer)));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        if (HttpUtil.isKeepAlive(request)) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private ObjectNode register(Map<String, List<String>> form) {
        String pk = first(form, "productKey");
        String dn = first(form, "deviceName");
        String rnd = first(form, "random");
        String sign = first(form, "sign");
        String method = first(form, "signMethod");
        if (pk == null || dn == null || rnd == null || sign == null) {
            return error(460, "request parameter error");
        }
        SignMethod m;
        try {
            m = SignMethod.fromWireName(method == null ? "hmacsha256" : method);
        } catch (IllegalArgumentException e) {
            return error(6292, "invalid sign method");
        }
        PlatformAuthenticator auth = engine.authenticator();
        String productSecret = auth.productSecret(pk);
        if (productSecret == null) {
            return error(6288, "dynamic registration is not enabled for the product");
        }
        String expected = AliyunSigner.registrationPassword(m, productSecret, pk, dn, rnd);
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8),
                sign.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))) {
            return error(6600, "sign check failed");
        }
        ObjectNode ok = EmulatorJson.object();
        ok.put("code", 200);
        ObjectNode data = ok.putObject("data");
        data.put("productKey", pk);
        data.put("deviceName", dn);
        if ("regnwl".equals(first(form, "authType"))) {
            if (tokens.size() >= MAX_TOKENS) {
                return error(500, "too many tokens");
            }
            byte[] t = new byte[16];
            random.nextBytes(t);
            String token = HexFormat.of().formatHex(t);
            tokens.put(PlatformAuthenticator.key(pk, dn), token);
            data.put("clientId", pk + "." + dn);
            data.put("deviceToken", token);
        } else {
            if (!auth.isConfigured(pk, dn) && engine.directory().registered(pk, dn) == null) {
                return error(6100, "device not found");
            }
            if (engine.wasOnline(pk, dn)) {
                return error(6289, "the device is already activated");
            }
            data.put("deviceSecret", auth.secretOf(pk, dn).orElseThrow());
        }
        ok.put("message", "success");
        return ok;
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode o = EmulatorJson.object();
        o.put("code", code);
        o.putObject("data");
        o.put("message", message);
        return o;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> v = form.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }
}
