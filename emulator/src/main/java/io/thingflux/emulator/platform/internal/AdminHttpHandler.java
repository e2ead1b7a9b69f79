package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.thingflux.emulator.platform.EmulatorRequestException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's HTTP API, in two forms sharing one implementation per action ({@link
 * OpenApiActions}): the platform's OpenAPI (RPC style, {@code Action} and {@code
 * Version=2018-01-20} with the common parameters in the query or a form body, signed with signature
 * version 1.0 or V3 by a configured access key, as the official SDKs send it), and the unsigned
 * loopback convenience {@code POST /api/<Action>} with a JSON object (guarded by the admin token
 * when one is set). Answers are JSON objects with {@code RequestId} and {@code Success} (and {@code
 * Code}, {@code Message} and {@code ErrorMessage} when it failed). A refused signature or a missing
 * or malformed parameter is answered 400 (an unknown access key or action 404, a missing admin
 * token 401); a request the emulator cannot carry out (unknown or offline device) is answered 200
 * with {@code "Success":false}, as the platform does; never 500 for a bad request. No request
 * blocks the event loop: RRpc answers when the device responds or its timeout passes. Besides the
 * platform's actions, {@code QueryDevicePublishes} is the emulator's own: its dedup view of what a
 * device published.
 */
public final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The largest request body accepted. */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    private final byte[] token;
    private final OpenApiActions actions;
    private final OpenApiAuthenticator authenticator;

    /** Serves files and HTTPS registration (platform services); null in no configuration. */
    private final BrokerEngine engine;

    private AdminHttpHandler(
            OpenApiActions actions,
            OpenApiAuthenticator authenticator,
            String t,
            BrokerEngine engine) {
        this.engine = engine;
        this.actions = actions;
        this.authenticator = authenticator;
        this.token = t == null ? null : ("Bearer " + t).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What every connection of the admin listeners shares: the actions and the access-key checks
     * (with their nonce store).
     */
    public static final class Shared {
        private final OpenApiActions actions;
        private final OpenApiAuthenticator authenticator;
        private final String adminToken;
        private final BrokerEngine engine;

        private Shared(BrokerEngine engine) {
            this.engine = engine;
            this.actions = new OpenApiActions(engine);
            this.authenticator =
                    new OpenApiAuthenticator(engine.options().accessKeys(), Clock.systemUTC());
            this.adminToken = engine.options().adminToken();
        }

        /**
         * The pipeline of one admin connection: TLS when {@code sslContext} is given, HTTP codec,
         * aggregation (bounded), the handler.
         */
        public ChannelInitializer<SocketChannel> initializer(SslContext sslContext) {
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (sslContext != null) {
                        ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                            .addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    new io.netty.handler.stream.ChunkedWriteHandler(),
                                    new AdminHttpHandler(
                                            actions, authenticator, adminToken, engine));
                }
            };
        }
    }

    /** The shared state of the admin listeners of {@code engine}. */
    public static Shared shared(BrokerEngine engine) {
        return new Shared(engine);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        // not UUID.randomUUID(): its SecureRandom may read /dev/urandom on the event loop
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String requestId =
                new UUID(random.nextLong(), random.nextLong()).toString().toUpperCase(Locale.ROOT);
        try {
            if (!request.decoderResult().isSuccess()) {
                throw new OpenApiError(
                        HttpResponseStatus.BAD_REQUEST, "InvalidRequest", "malformed HTTP request");
            }
            String uri = request.uri();
            int q = uri.indexOf('?');
            String path = q >= 0 ? uri.substring(0, q) : uri;
            if (PlatformFiles.handles(path)) {
                engine.platformFiles().serve(ctx, request, path);
                return;
            }
            if (path.equals(HttpsRegistrationEndpoint.PATH)
                    && request.method().equals(HttpMethod.POST)) {
                engine.httpsRegistration().serve(ctx, request);
                return;
            }
            String action;
            OpenApiParams params;
            if (path.startsWith("/api/")) {
                checkToken(request);
                action = path.substring("/api/".length());
                if (!request.method().equals(HttpMethod.POST)) {
                    throw new OpenApiError(
                            HttpResponseStatus.METHOD_NOT_ALLOWED, "InvalidMethod", "use POST");
                }
                params = jsonParams(request);
            } else {
                params =
                        new OpenApiParams(authenticator.verify(openApiRequest(request, uri, path)));
                action = params.required("Action");
                String version = params.required("Version");
                if (!version.equals(OpenApiActions.VERSION)) {
                    throw OpenApiError.invalid(
                            "Version", "this endpoint serves " + OpenApiActions.VERSION);
                }
            }
            actions.call(action, params, success(requestId))
                    .subscribe(
                            ok -> respond(ctx, HttpResponseStatus.OK, ok, keepAlive),
                            error -> fail(ctx, requestId, error, keepAlive));
        } catch (RuntimeException e) {
            fail(ctx, requestId, e, keepAlive);
        }
    }

    private static void fail(
            ChannelHandlerContext ctx, String requestId, Throwable error, boolean keepAlive) {
        if (error instanceof OpenApiError e) {
            respond(ctx, e.status, failure(requestId, e.code, e.getMessage()), keepAlive);
        } else if (error instanceof EmulatorRequestException e) {
            respond(
                    ctx,
                    HttpResponseStatus.OK,
                    failure(requestId, e.code(), e.getMessage()),
                    keepAlive);
        } else {
            log.warn("admin request failed", error);
            respond(
                    ctx,
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    failure(requestId, "InternalError", error.getClass().getSimpleName()),
                    keepAlive);
        }
    }

    /** The JSON form's fields as parameters: arrays become {@code Name.1}, {@code Name.2}, ... */
    private static OpenApiParams jsonParams(FullHttpRequest request) {
        JsonNode body = EmulatorJson.readObject(ByteBufUtil.getBytes(request.content()));
        if (body == null) {
            throw new OpenApiError(
                    HttpResponseStatus.BAD_REQUEST,
                    EmulatorRequestException.INVALID_PARAMETER,
                    "the body must be a JSON object");
        }
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            JsonNode v = e.getValue();
            if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    params.put(e.getKey() + "." + (i + 1), jsonText(v.get(i)));
                }
            } else if (!v.isNull()) {
                params.put(e.getKey(), jsonText(v));
            }
        }
        return new OpenApiParams(params);
    }

    private static String jsonText(JsonNode v) {
        return v.isValueNode() ? v.asText() : EmulatorJson.text(v);
    }

    private static OpenApiRequest openApiRequest(FullHttpRequest request, String uri, String path) {
        Map<String, String> query = first(new QueryStringDecoder(uri).parameters());
        byte[] body = ByteBufUtil.getBytes(request.content());
        Map<String, String> form = Map.of();
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null
                && contentType
                        .toLowerCase(Locale.ROOT)
                        .startsWith("application/x-www-form-urlencoded")) {
            form =
                    first(
                            new QueryStringDecoder(
                                            new String(body, StandardCharsets.UTF_8),
                                            StandardCharsets.UTF_8,
                                            false)
                                    .parameters());
        }
        Map<String, List<String>> headers = new HashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.getValue());
        }
        return new OpenApiRequest(
                request.method().name(), path, query, form, Map.copyOf(headers), body);
    }

    private static Map<String, String> first(Map<String, List<String>> multi) {
        Map<String, String> out = new HashMap<>();
        multi.forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(0)));
        return out;
    }

    private void checkToken(FullHttpRequest request) {
        if (token == null) {
            return;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given == null
                || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            throw new OpenApiError(
                    HttpResponseStatus.UNAUTHORIZED,
                    "Unauthorized",
                    "missing or wrong token (Authorization: Bearer TOKEN)");
        }
    }

    private static ObjectNode success(String requestId) {
        ObjectNode n = EmulatorJson.object();
        n.put("RequestId", requestId);
        n.put("Success", true);
        return n;
    }

    private static ObjectNode failure(String requestId, String code, String message) {
        ObjectNode n = EmulatorJson.object();
        n.put("RequestId", requestId);
        n.put("Success", false);
        n.put("Code", code);
        n.put("Message", message);
        n.put("ErrorMessage", message);
        return n;
    }

    private static void respond(
            ChannelHandlerContext ctx,
            HttpResponseStatus status,
            ObjectNode body,
            boolean keepAlive) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        status,
                        Unpooled.wrappedBuffer(EmulatorJson.bytes(body)));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
