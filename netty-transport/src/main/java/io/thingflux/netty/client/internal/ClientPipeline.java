package io.thingflux.netty.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.thingflux.mqtt.Connect;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.net.InetSocketAddress;

/**
 * Builds the client pipeline of one connection. One handler per concern of the connection, and last
 * the bridge that hands everything session-level to the session, in this order (inbound flows down,
 * outbound up):
 *
 * <pre>
 *  socket
 *    │  [proxy]         HTTP CONNECT / SOCKS5 tunnel (only with proxy options; {@link ProxyPipeline})
 *    │  [ssl]           SslHandler: TLS, SNI, hostname verification, client certificate (only with TLS options)
 *    │  [ws.*]          HTTP codec, upgrade, WebSocket frames ↔ bytes (only with WebSocket options; {@link WebSocketPipeline})
 *    │  mqttDecoder     {@link MqttDecoder}: frames → {@code MqttPacket}, size limit, violations close
 *    │  mqttEncoder     {@link MqttEncoder}: {@code MqttPacket} → bytes
 *    │  keepalive       {@link MqttKeepAliveHandler}: PINGREQ on writer idle, half-open detection
 *    │  connect         {@link MqttConnectHandler}: CONNECT, CONNACK timeout; removed after CONNACK 0
 *    │  qos.incoming    {@link MqttIncomingQosHandler}: PUBLISH → Delivery; PUBACK/PUBREC once taken, in order
 *    ▼  reactive        {@link MqttReactiveBridge}: to the session: PUBACK / PUBREC→PUBREL / PUBCOMP of our
 *                       publishes, SUBACK, UNSUBACK, dispatch to subscribers; failure cause, unexpected packets
 * </pre>
 *
 * The handlers are created per connection; the state that outlives a connection (in-flight
 * publishes, subscriptions, QoS 2 ids) lives in the {@link ClientSession} they are given, on the
 * same event loop.
 */
public final class ClientPipeline {

    /** The name of the TLS handler. */
    public static final String SSL = "ssl";

    private ClientPipeline() {}

    /**
     * Adds the handlers of a new connection of {@code session}, which opens with {@code connect},
     * to {@code ch}.
     */
    static void install(
            Channel ch, ClientSession session, Connect connect, InetSocketAddress proxyAddress) {
        MqttClientOptions options = session.options();
        ChannelPipeline p = ch.pipeline();
        if (options.proxy() != null) {
            ProxyPipeline.install(p, options.proxy(), proxyAddress);
        }
        MqttTlsOptions tls = options.tls();
        if (tls != null) {
            String host = tls.sniHost() != null ? tls.sniHost() : options.host();
            SslHandler ssl = tls.sslContext().newHandler(ch.alloc(), host, options.port());
            ssl.setHandshakeTimeoutMillis(tls.handshakeTimeout().toMillis());
            p.addLast(SSL, ssl);
        }
        if (options.webSocket() != null) {
            WebSocketPipeline.install(p, options);
        }
        p.addLast(MqttDecoder.NAME, new MqttDecoder(options.maxPacketSize()));
        p.addLast(MqttEncoder.NAME, MqttEncoder.INSTANCE);
        if (options.keepAliveSeconds() > 0) {
            p.addLast(
                    MqttKeepAliveHandler.NAME,
                    new MqttKeepAliveHandler(options.keepAliveSeconds(), options.pingTimeout()));
        }
        p.addLast(
                MqttConnectHandler.NAME,
                new MqttConnectHandler(
                        connect,
                        options.connAckTimeout(),
                        (ctx, ack) -> session.onConnAck(ctx.channel(), ack)));
        p.addLast(MqttIncomingQosHandler.NAME, new MqttIncomingQosHandler(session.qos2Received()));
        p.addLast(MqttReactiveBridge.NAME, new MqttReactiveBridge(session));
    }
}
