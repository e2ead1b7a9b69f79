package io.thingflux.emulator.platform.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;

/**
 * Builds the pipeline of one accepted MQTT connection, in this order:
 *
 * <pre>
 * ssl (TLS listener only) → {@value MqttDecoder#NAME} → {@value MqttEncoder#NAME} → {@value MqttServerHandler#NAME}
 * </pre>
 *
 * ({@link MqttServerHandler} adds the keepalive handler in front of itself once CONNECT is
 * accepted.)
 */
public final class BrokerChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final BrokerEngine engine;
    private final SslContext sslContext;
    private final CertificateDevices certificates;

    /**
     * @param sslContext the TLS listener's context, or {@code null} for the plain TCP listener
     */
    public BrokerChannelInitializer(BrokerEngine engine, SslContext sslContext) {
        this(engine, sslContext, null);
    }

    /**
     * @param certificates the devices known by TLS client certificate, or {@code null}
     */
    public BrokerChannelInitializer(
            BrokerEngine engine, SslContext sslContext, CertificateDevices certificates) {
        this.engine = engine;
        this.sslContext = sslContext;
        this.certificates = certificates;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast("ssl", sslContext.newHandler(ch.alloc()));
        }
        p.addLast(MqttDecoder.NAME, new MqttDecoder(engine.options().maxPacketSize()));
        p.addLast(MqttEncoder.NAME, MqttEncoder.INSTANCE);
        p.addLast(
                MqttServerHandler.NAME,
                new MqttServerHandler(engine, sslContext != null, certificates));
    }
}
