package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttWebSocketOptions;
import io.thingflux.netty.codec.MqttWebSocketFrames;
import java.net.URI;

/**
 * Adds the WebSocket handlers of a client connection (only loaded when {@link
 * MqttClientOptions#webSocket()} is set, so {@code netty-codec-http} stays optional): HTTP codec,
 * aggregator of the upgrade response, the handshake and frame handler, and {@link
 * MqttWebSocketFrames}.
 */
final class WebSocketPipeline {

    static final String HTTP = "ws.http";
    static final String AGGREGATOR = "ws.aggregator";
    static final String PROTOCOL = "ws.protocol";

    private WebSocketPipeline() {}

    static void install(ChannelPipeline p, MqttClientOptions options) {
        MqttWebSocketOptions ws = options.webSocket();
        String host = options.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        URI uri =
                URI.create(
                        (options.tls() != null ? "wss" : "ws")
                                + "://"
                                + host
                                + ":"
                                + options.port()
                                + ws.path());
        HttpHeaders headers = new DefaultHttpHeaders();
        ws.headers().forEach(headers::add);
        WebSocketClientHandshaker handshaker =
                WebSocketClientHandshakerFactory.newHandshaker(
                        uri,
                        WebSocketVersion.V13,
                        ws.subprotocol(),
                        false,
                        headers,
                        // incoming frames: bounded by the MQTT packet limit, not the send size
                        Math.max(ws.maxFramePayload(), options.maxPacketSize()));
        p.addLast(HTTP, new HttpClientCodec());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(8192));
        p.addLast(
                PROTOCOL,
                new WebSocketClientProtocolHandler(
                        handshaker, true, true, ws.handshakeTimeout().toMillis()));
        p.addLast(MqttWebSocketFrames.NAME, new MqttWebSocketFrames(ws.maxFramePayload()));
    }
}
