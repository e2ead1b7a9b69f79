package io.thingflux.emulator.platform.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import io.thingflux.netty.codec.MqttWebSocketFrames;

/**
 * Builds the pipeline of one connection accepted on a WebSocket listener ({@code ws://}, or {@code
 * wss://} with a TLS context), in this order:
 *
 * <pre>
 * [ssl] → http → aggregator → ws (upgrade on the path, subprotocol mqtt, frame limit) → {@value MqttWebSocketFrames#NAME}
 *       → {@value MqttDecoder#NAME} → {@value MqttEncoder#NAME} → {@value MqttServerHandler#NAME}
 * </pre>
 *
 * The handlers after the frames are those of the TCP listener ({@link BrokerChannelInitializer}).
 */
public final class WebSocketBrokerChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** The largest frame payload accepted and sent. */
    public static final int MAX_FRAME_PAYLOAD = 65_536;

    private final BrokerEngine engine;
    private final SslContext sslContext;
    private final String path;
    private final CertificateDevices certificates;

    /**
     * @param sslContext the context of a {@code wss} listener, or {@code null} for {@code ws}
     * @param certificates the devices known by certificate, or {@code null}
     */
    public WebSocketBrokerChannelInitializer(
            BrokerEngine engine,
            SslContext sslContext,
            String path,
            CertificateDevices certificates) {
        this.engine = engine;
        this.sslContext = sslContext;
        this.path = path;
        this.certificates = certificates;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast("ssl", sslContext.newHandler(ch.alloc()));
        }
        p.addLast("http", new HttpServerCodec());
        p.addLast("aggregator", new HttpObjectAggregator(8192));
        p.addLast(
                "ws",
                new WebSocketServerProtocolHandler(
                        WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath(path)
                                .subprotocols("mqtt")
                                .checkStartsWith(true)
                                .maxFramePayloadLength(MAX_FRAME_PAYLOAD)
                                .build()));
        p.addLast(MqttWebSocketFrames.NAME, new MqttWebSocketFrames(MAX_FRAME_PAYLOAD));
        p.addLast(MqttDecoder.NAME, new MqttDecoder(engine.options().maxPacketSize()));
        p.addLast(MqttEncoder.NAME, MqttEncoder.INSTANCE);
        p.addLast(
                MqttServerHandler.NAME,
                new MqttServerHandler(engine, sslContext != null, certificates));
    }
}
