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
import io.thingflux.aliyun.AliyunLimits;
import io.thingflux.emulator.platform.DistinctPublish;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.emulator.platform.PropertyValue;
import io.thingflux.mqtt.MqttQos;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API: {@code POST /api/<Action>} with a JSON object, answered with a JSON object
 * that has {@code Success} (and {@code Code} and {@code ErrorMessage} when it failed) and {@code
 * RequestId}, named after the platform's OpenAPI actions: SetDeviceProperty, InvokeThingService,
 * RRpc, Pub, GetDeviceStatus, QueryDevicePropertyStatus, and the emulator's own
 * QueryDevicePublishes (its dedup view of what a device published). A malformed request is answered
 * 400, an unknown action 404, a missing or wrong token 401; a request the emulator cannot carry out
 * (unknown or offline device) is answered 200 with {@code "Success":false}, as the platform does.
 * No request blocks the event loop: RRpc answers when the device responds or its timeout passes.
 */
public final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The largest request body accepted. */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;

    /** RRpc timeout bounds (ms), as the platform's API allows, and the default. */
    static final int RRPC_MIN_TIMEOUT = 1000;

    static final int RRPC_MAX_TIMEOUT = (int) AliyunLimits.RRPC_REPLY_DEADLINE.toMillis();
    static final int RRPC_DEFAULT_TIMEOUT = 5000;

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    private final BrokerEngine engine;
    private final byte[] token;

    private AdminHttpHandler(BrokerEngine engine) {
        this.engine = engine;
        String t = engine.options().adminToken();
        this.token = t == null ? null : ("Bearer " + t).getBytes(StandardCharsets.UTF_8);
    }

    /** The pipeline of one admin connection: HTTP codec, aggregation (bounded), this handler. */
    public static ChannelInitializer<SocketChannel> initializer(BrokerEngine engine) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast(
                                new HttpServerCodec(),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new AdminHttpHandler(engine));
            }
        };
    }

    /** A failed request: HTTP status, error code and message. */
    private static final class BadRequest extends RuntimeException {
        final HttpResponseStatus status;
        final String code;

        BadRequest(HttpResponseStatus status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
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
                throw new BadRequest(
                        HttpResponseStatus.BAD_REQUEST, "InvalidRequest", "malformed HTTP request");
            }
            checkToken(request);
            String path = request.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (!path.startsWith("/api/")) {
                throw new BadRequest(
                        HttpResponseStatus.NOT_FOUND,
                        "InvalidAction.NotFound",
                        "no such path: " + path);
            }
            String action = path.substring("/api/".length());
            if (!request.method().equals(HttpMethod.POST)) {
                throw new BadRequest(
                        HttpResponseStatus.METHOD_NOT_ALLOWED, "InvalidMethod", "use POST");
            }
            JsonNode body = EmulatorJson.readObject(ByteBufUtil.getBytes(request.content()));
            if (body == null) {
                throw new BadRequest(
                        HttpResponseStatus.BAD_REQUEST,
                        EmulatorRequestException.INVALID_PARAMETER,
                        "the body must be a JSON object");
            }
            dispatch(ctx, action, body, requestId, keepAlive);
        } catch (BadRequest e) {
            respond(ctx, e.status, failure(requestId, e.code, e.getMessage()), keepAlive);
        } catch (EmulatorRequestException e) {
            respond(
                    ctx,
                    HttpResponseStatus.OK,
                    failure(requestId, e.code(), e.getMessage()),
                    keepAlive);
        } catch (RuntimeException e) {
            log.warn("admin request failed", e);
            respond(
                    ctx,
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    failure(requestId, "InternalError", e.getClass().getSimpleName()),
                    keepAlive);
        }
    }

    private void checkToken(FullHttpRequest request) {
        if (token == null) {
            return;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given == null
                || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            throw new BadRequest(
                    HttpResponseStatus.UNAUTHORIZED,
                    "Unauthorized",
                    "missing or wrong token (Authorization: Bearer TOKEN)");
        }
    }

    private void dispatch(
            ChannelHandlerContext ctx,
            String action,
            JsonNode body,
            String requestId,
            boolean keepAlive) {
        ObjectNode ok = success(requestId);
        switch (action) {
            case "SetDeviceProperty" -> {
                String id =
                        engine.setProperties(
                                text(body, "ProductKey"),
                                text(body, "DeviceName"),
                                text(body, "Items"));
                ok.putObject("Data").put("MessageId", id);
            }
            case "InvokeThingService" -> {
                String args = body.hasNonNull("Args") ? body.get("Args").asText() : "{}";
                String id =
                        engine.invokeService(
                                text(body, "ProductKey"),
                                text(body, "DeviceName"),
                                text(body, "Identifier"),
                                args);
                ok.putObject("Data").put("MessageId", id);
            }
            case "Pub" -> {
                text(body, "ProductKey");
                byte[] content = base64(text(body, "MessageContent"), "MessageContent");
                int qos = body.has("Qos") ? body.get("Qos").asInt(-1) : 0;
                if (qos != 0 && qos != 1) {
                    throw new BadRequest(
                            HttpResponseStatus.BAD_REQUEST,
                            EmulatorRequestException.INVALID_PARAMETER,
                            "Qos must be 0 or 1");
                }
                engine.publish(text(body, "TopicFullName"), content, MqttQos.valueOf(qos));
                ok.put("MessageId", engine.nextMessageId());
            }
            case "GetDeviceStatus" ->
                    ok.putObject("Data")
                            .put(
                                    "Status",
                                    engine.deviceStatus(
                                                    text(body, "ProductKey"),
                                                    text(body, "DeviceName"))
                                            .name());
            case "QueryDevicePropertyStatus" -> {
                Map<String, PropertyValue> props =
                        engine.properties(text(body, "ProductKey"), text(body, "DeviceName"));
                var list = ok.putObject("Data").putObject("List").putArray("PropertyStatusInfo");
                props.values().stream()
                        .sorted((a, b) -> a.identifier().compareTo(b.identifier()))
                        .forEach(
                                p -> {
                                    ObjectNode info = list.addObject();
                                    info.put("Identifier", p.identifier());
                                    JsonNode value =
                                            EmulatorJson.readAny(
                                                    p.valueJson().getBytes(StandardCharsets.UTF_8));
                                    info.put(
                                            "Value",
                                            value != null && value.isTextual()
                                                    ? value.asText()
                                                    : p.valueJson());
                                    info.put("Time", Long.toString(p.timeMillis()));
                                });
            }
            case "QueryDevicePublishes" -> queryDevicePublishes(body, ok);
            case "RRpc" -> {
                rrpc(ctx, body, requestId, keepAlive);
                return;
            }
            default ->
                    throw new BadRequest(
                            HttpResponseStatus.NOT_FOUND,
                            "InvalidAction.NotFound",
                            "unknown action " + action);
        }
        respond(ctx, HttpResponseStatus.OK, ok, keepAlive);
    }

    /**
     * The emulator's dedup view of what a device published (not a platform action): {@code
     * Data.List.PublishInfo}, each distinct message once in order of first arrival, with {@code
     * TopicFullName}, {@code MessageContent} (base64), {@code AlinkId} when the payload has one,
     * {@code Arrivals} and {@code DupArrivals}; only the topic {@code TopicFullName} when given.
     */
    private void queryDevicePublishes(JsonNode body, ObjectNode ok) {
        String topic = body.hasNonNull("TopicFullName") ? text(body, "TopicFullName") : null;
        var list = ok.putObject("Data").putObject("List").putArray("PublishInfo");
        for (DistinctPublish p :
                engine.distinctPublishes(text(body, "ProductKey"), text(body, "DeviceName"))) {
            if (topic != null && !topic.equals(p.topic())) {
                continue;
            }
            ObjectNode info = list.addObject();
            info.put("TopicFullName", p.topic());
            info.put("MessageContent", Base64.getEncoder().encodeToString(p.payload()));
            if (p.alinkId() != null) {
                info.put("AlinkId", p.alinkId());
            }
            info.put("Arrivals", p.arrivals());
            info.put("DupArrivals", p.dupArrivals());
        }
    }

    private void rrpc(
            ChannelHandlerContext ctx, JsonNode body, String requestId, boolean keepAlive) {
        String pk = text(body, "ProductKey");
        String dn = text(body, "DeviceName");
        byte[] request = base64(text(body, "RequestBase64Byte"), "RequestBase64Byte");
        int timeout = body.has("Timeout") ? body.get("Timeout").asInt(-1) : RRPC_DEFAULT_TIMEOUT;
        if (timeout < RRPC_MIN_TIMEOUT || timeout > RRPC_MAX_TIMEOUT) {
            throw new BadRequest(
                    HttpResponseStatus.BAD_REQUEST,
                    EmulatorRequestException.INVALID_PARAMETER,
                    "Timeout must be " + RRPC_MIN_TIMEOUT + ".." + RRPC_MAX_TIMEOUT + " ms");
        }
        if (engine.deviceStatus(pk, dn) != io.thingflux.emulator.platform.DeviceStatus.ONLINE) {
            ObjectNode offline = success(requestId);
            offline.put("RrpcCode", "OFFLINE");
            respond(ctx, HttpResponseStatus.OK, offline, keepAlive);
            return;
        }
        engine.rrpc(pk, dn, request, Duration.ofMillis(timeout))
                .subscribe(
                        response -> {
                            ObjectNode ok = success(requestId);
                            ok.put("RrpcCode", "SUCCESS");
                            ok.put(
                                    "PayloadBase64Byte",
                                    Base64.getEncoder().encodeToString(response));
                            respond(ctx, HttpResponseStatus.OK, ok, keepAlive);
                        },
                        error -> {
                            if (error instanceof TimeoutException) {
                                ObjectNode timedOut = success(requestId);
                                timedOut.put("RrpcCode", "TIMEOUT");
                                respond(ctx, HttpResponseStatus.OK, timedOut, keepAlive);
                            } else if (error instanceof EmulatorRequestException e) {
                                respond(
                                        ctx,
                                        HttpResponseStatus.OK,
                                        failure(requestId, e.code(), e.getMessage()),
                                        keepAlive);
                            } else {
                                respond(
                                        ctx,
                                        HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                        failure(
                                                requestId,
                                                "InternalError",
                                                error.getClass().getSimpleName()),
                                        keepAlive);
                            }
                        });
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
            throw new BadRequest(
                    HttpResponseStatus.BAD_REQUEST,
                    EmulatorRequestException.INVALID_PARAMETER,
                    field + " is required");
        }
        if (!n.isValueNode()) {
            throw new BadRequest(
                    HttpResponseStatus.BAD_REQUEST,
                    EmulatorRequestException.INVALID_PARAMETER,
                    field + " must be a string");
        }
        return n.asText();
    }

    private static byte[] base64(String text, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(
                    HttpResponseStatus.BAD_REQUEST,
                    EmulatorRequestException.INVALID_PARAMETER,
                    field + " is not base64");
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
