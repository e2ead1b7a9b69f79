package io.thingflux.emulator.platform;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.thingflux.emulator.platform.internal.AdminHttpHandler;
import io.thingflux.emulator.platform.internal.BrokerChannelInitializer;
import io.thingflux.emulator.platform.internal.BrokerEngine;
import io.thingflux.emulator.platform.internal.CertificateDevices;
import io.thingflux.emulator.platform.internal.SelfSignedTls;
import io.thingflux.emulator.platform.internal.WebSocketBrokerChannelInitializer;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.netty.NativeTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Aliyun IoT Platform emulator: an MQTT 3.1/3.1.1 broker with the platform's signed CONNECT,
 * topic ACL and Alink replies, and the platform-side actions (push a property set, invoke a
 * service, RRPC, read device status and the latest reported properties) both as Java methods and as
 * an admin HTTP API.
 *
 * <pre>{@code
 * try (AliyunPlatformEmulator emulator = AliyunPlatformEmulator.start(EmulatorOptions.builder()
 *         .port(0).product("a1Product", "productSecret").build())) {
 *     int port = emulator.mqttAddress().getPort();
 *     ...
 * }
 * }</pre>
 *
 * <p>Connections share a few event-loop threads (no thread per connection); per-connection state
 * lives on its event loop. Devices of a {@code product(pk, productSecret)} are accepted with the
 * secret {@link io.thingflux.aliyun.AliyunProducts#deriveDeviceSecret derived} from the device
 * name, an emulator convenience for simulating many devices. In Aliyun mode what a device publishes
 * goes to the platform (Alink replies, recording, listeners) and to application subscribers, not to
 * other devices.
 */
public final class AliyunPlatformEmulator implements MqttBroker {

    /**
     * How far a {@link #publishes()} subscriber may fall behind before it loses the oldest
     * messages.
     */
    public static final int PUBLISHES_BUFFER = 10_000;

    private static final Logger log = LoggerFactory.getLogger(AliyunPlatformEmulator.class);

    private final BrokerEngine engine;
    private final EventLoopGroup ownedGroup;
    private final ChannelGroup channels =
            new DefaultChannelGroup("thingflux-broker", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>(3);
    private InetSocketAddress mqttAddress;
    private InetSocketAddress tlsAddress;
    private InetSocketAddress wsAddress;
    private InetSocketAddress wssAddress;
    private InetSocketAddress adminAddress;
    private InetSocketAddress adminTlsAddress;
    private volatile boolean closed;

    private AliyunPlatformEmulator(EmulatorOptions options) {
        this.engine = new BrokerEngine(options);
        this.ownedGroup =
                options.eventLoopGroup() == null
                        ? new MultiThreadIoEventLoopGroup(
                                options.eventLoopThreads(),
                                new DefaultThreadFactory("thingflux-broker", true),
                                NativeTransport.ioHandlerFactory())
                        : null;
    }

    /**
     * Binds the listeners the options ask for and returns the running emulator. Blocks the calling
     * thread until bound (do not call it from an event loop).
     *
     * @throws IllegalStateException when a port cannot be bound or the TLS material cannot be
     *     loaded
     */
    public static AliyunPlatformEmulator start(EmulatorOptions options) {
        AliyunPlatformEmulator emulator = new AliyunPlatformEmulator(options);
        try {
            emulator.bind();
            return emulator;
        } catch (RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    private EventLoopGroup group() {
        return ownedGroup != null ? ownedGroup : engine.options().eventLoopGroup();
    }

    private void bind() {
        EmulatorOptions o = engine.options();
        mqttAddress = listen(o.host(), o.port(), new BrokerChannelInitializer(engine, null));
        SslContext ssl =
                o.tlsPort() != null || o.adminTlsPort() != null || o.wssPort() != null
                        ? sslContext(o)
                        : null;
        CertificateDevices certificates =
                o.clientCertificateAuthority() != null
                        ? new CertificateDevices(o.certificateDevices())
                        : null;
        if (o.tlsPort() != null) {
            tlsAddress =
                    listen(
                            o.host(),
                            o.tlsPort(),
                            new BrokerChannelInitializer(engine, ssl, certificates));
        }
        // ways in beside TCP and TLS: MQTT over ws:// and wss://
        if (o.wsPort() != null) {
            wsAddress =
                    listen(
                            o.host(),
                            o.wsPort(),
                            new WebSocketBrokerChannelInitializer(engine, null, o.wsPath(), null));
        }
        if (o.wssPort() != null) {
            wssAddress =
                    listen(
                            o.host(),
                            o.wssPort(),
                            new WebSocketBrokerChannelInitializer(
                                    engine, ssl, o.wsPath(), certificates));
        }
        if (o.adminPort() != null || o.adminTlsPort() != null) {
            // one set of actions and access-key checks (nonces) for both admin listeners
            AdminHttpHandler.Shared admin = AdminHttpHandler.shared(engine);
            if (o.adminPort() != null) {
                adminAddress = listen(o.adminHost(), o.adminPort(), admin.initializer(null));
            }
            if (o.adminTlsPort() != null) {
                adminTlsAddress = listen(o.adminHost(), o.adminTlsPort(), admin.initializer(ssl));
            }
        }
        if (adminTlsAddress != null) {
            engine.fileBase("https://localhost:" + adminTlsAddress.getPort());
        } else if (adminAddress != null) {
            engine.fileBase("http://" + format(adminAddress));
        }
        log.info("emulator listening: {}", describe());
    }

    private InetSocketAddress listen(
            String host, int port, ChannelInitializer<SocketChannel> initializer) {
        ChannelInitializer<SocketChannel> tracked =
                new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(initializer);
                    }
                };
        ServerBootstrap b =
                new ServerBootstrap()
                        .group(group())
                        .channel(serverChannelType(group()))
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(tracked);
        try {
            Channel ch = b.bind(host, port).syncUninterruptibly().channel();
            listeners.add(ch);
            return (InetSocketAddress) ch.localAddress();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The server channel for the group's transport: NIO or epoll (its own group runs epoll when it
     * loads).
     */
    @SuppressWarnings("unchecked")
    private static Class<? extends ServerChannel> serverChannelType(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && !io.isIoType(NioIoHandler.class)) {
            try {
                Class<? extends IoHandler> epoll =
                        (Class<? extends IoHandler>)
                                Class.forName("io.netty.channel.epoll.EpollIoHandler");
                if (io.isIoType(epoll)) {
                    return (Class<? extends ServerChannel>)
                            Class.forName("io.netty.channel.epoll.EpollServerSocketChannel");
                }
            } catch (ClassNotFoundException e) {
                // epoll is not on the class path: fall through
            }
            throw new IllegalArgumentException("the event-loop group must run NIO or epoll");
        }
        return NioServerSocketChannel.class;
    }

    private static SslContext sslContext(EmulatorOptions o) {
        try {
            SslContextBuilder b;
            if (o.tlsCertificate() != null) {
                b =
                        SslContextBuilder.forServer(
                                o.tlsCertificate().toFile(), o.tlsPrivateKey().toFile());
            } else {
                SelfSignedTls cert = SelfSignedTls.generate("localhost");
                b = SslContextBuilder.forServer(cert.privateKey(), cert.certificate());
            }
            if (o.clientCertificateAuthority() != null) {
                // X.509 devices: the chain is checked against the CA; signed devices send none
                b.clientAuth(ClientAuth.OPTIONAL)
                        .trustManager(o.clientCertificateAuthority().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** One line naming the bound addresses, as the CLI prints it when ready. */
    public String describe() {
        StringBuilder sb = new StringBuilder("mqtt=").append(format(mqttAddress));
        if (tlsAddress != null) {
            sb.append(" tls=").append(format(tlsAddress));
        }
        if (wsAddress != null) {
            sb.append(" ws=ws://").append(format(wsAddress)).append(engine.options().wsPath());
        }
        if (wssAddress != null) {
            sb.append(" wss=wss://").append(format(wssAddress)).append(engine.options().wsPath());
        }
        if (adminAddress != null) {
            sb.append(" admin=http://").append(format(adminAddress));
        }
        if (adminTlsAddress != null) {
            sb.append(" admin-tls=https://").append(format(adminTlsAddress));
        }
        return sb.append(" auth=")
                .append(engine.options().authMode().name().toLowerCase())
                .toString();
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public EmulatorOptions options() {
        return engine.options();
    }

    @Override
    public InetSocketAddress mqttAddress() {
        return mqttAddress;
    }

    @Override
    public Optional<InetSocketAddress> tlsAddress() {
        return Optional.ofNullable(tlsAddress);
    }

    /** The {@code ws://} listener's address, when it has one. */
    public Optional<InetSocketAddress> wsAddress() {
        return Optional.ofNullable(wsAddress);
    }

    /** The {@code wss://} listener's address, when it has one. */
    public Optional<InetSocketAddress> wssAddress() {
        return Optional.ofNullable(wssAddress);
    }

    @Override
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(adminAddress);
    }

    /** The admin API's HTTPS address, when {@link EmulatorOptions#adminTlsPort()} was set. */
    public Optional<InetSocketAddress> adminTlsAddress() {
        return Optional.ofNullable(adminTlsAddress);
    }

    @Override
    public BrokerStats stats() {
        return engine.stats();
    }

    @Override
    public Flux<ReceivedPublish> publishes() {
        return Flux.<ReceivedPublish>create(
                        sink -> {
                            Runnable remove = engine.addListener(sink::next);
                            sink.onDispose(remove::run);
                        },
                        FluxSink.OverflowStrategy.IGNORE)
                .onBackpressureBuffer(
                        PUBLISHES_BUFFER, dropped -> {}, BufferOverflowStrategy.DROP_OLDEST)
                .publishOn(Schedulers.parallel());
    }

    @Override
    public Disposable addPublishListener(Consumer<ReceivedPublish> listener) {
        Runnable remove = engine.addListener(listener);
        return remove::run;
    }

    @Override
    public void publish(String topic, byte[] payload, MqttQos qos) {
        engine.publish(topic, payload.clone(), qos);
    }

    /**
     * The status of a device, as GetDeviceStatus reports it.
     *
     * @throws EmulatorRequestException when the device is unknown
     */
    public DeviceStatus deviceStatus(String productKey, String deviceName) {
        return engine.deviceStatus(productKey, deviceName);
    }

    /**
     * The sub-devices in gateway {@code productKey/deviceName}'s topology as {@code pk/dn}, sorted
     * (what GetThingTopo lists).
     */
    public List<String> thingTopology(String productKey, String deviceName) {
        return engine.thingTopology(productKey, deviceName);
    }

    /**
     * The latest value the device reported for each property (property post and batch post).
     *
     * @throws EmulatorRequestException when the device is unknown
     */
    public Map<String, PropertyValue> properties(String productKey, String deviceName) {
        return engine.properties(productKey, deviceName);
    }

    /**
     * The dedup view of what the device published since the emulator started, on every topic: each
     * distinct message once, in order of first arrival, with how many times it arrived (QoS 1
     * redeliveries with DUP, an Alink request re-sent with the same bytes); see {@link
     * DistinctPublish}. Needs {@link EmulatorOptions.Builder#dedupView(int)}. A publish is in the
     * view before the broker acknowledges it.
     *
     * @throws EmulatorRequestException when the device is unknown, the view is off, or it passed
     *     its bound (it is then incomplete)
     */
    public List<DistinctPublish> distinctPublishes(String productKey, String deviceName) {
        return engine.distinctPublishes(productKey, deviceName);
    }

    /**
     * Pushes {@code thing.service.property.set} with {@code itemsJson} (a JSON object, e.g. {@code
     * {"PowerSwitch":1}}) to the device, as SetDeviceProperty does; returns the message id, which
     * {@link #awaitReply} takes.
     *
     * @throws EmulatorRequestException when the device is unknown or offline, or the items are not
     *     a JSON object
     */
    public String setProperties(String productKey, String deviceName, String itemsJson) {
        return engine.setProperties(productKey, deviceName, itemsJson);
    }

    /**
     * Pushes {@code thing.service.<identifier>} with {@code argsJson} (a JSON object) to the
     * device, as InvokeThingService does for an asynchronous service; returns the message id.
     *
     * @throws EmulatorRequestException when the device is unknown or offline, or the arguments are
     *     not a JSON object
     */
    public String invokeService(
            String productKey, String deviceName, String identifier, String argsJson) {
        return engine.invokeService(productKey, deviceName, identifier, argsJson);
    }

    /**
     * The device's reply (the JSON text it published on {@code ..._reply}) to the downlink request
     * {@code messageId}; fails with a {@link java.util.concurrent.TimeoutException} after {@code
     * timeout}.
     */
    public Mono<String> awaitReply(
            String productKey, String deviceName, String messageId, Duration timeout) {
        return Mono.defer(() -> engine.awaitReply(productKey, deviceName, messageId, timeout))
                .publishOn(Schedulers.parallel());
    }

    /**
     * A synchronous call (RRPC, doc 90568): sends {@code request} on {@code
     * /sys/{pk}/{dn}/rrpc/request/{messageId}} and completes with the payload the device publishes
     * on {@code /sys/{pk}/{dn}/rrpc/response/{messageId}}; fails with a {@link
     * java.util.concurrent.TimeoutException} after {@code timeout}, or an {@link
     * EmulatorRequestException} when the device is unknown or offline.
     */
    public Mono<byte[]> rrpc(
            String productKey, String deviceName, byte[] request, Duration timeout) {
        return engine.rrpc(productKey, deviceName, request.clone(), timeout)
                .publishOn(Schedulers.parallel());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel l : listeners) {
            l.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (ownedGroup != null) {
            ownedGroup
                    .shutdownGracefully(0, 2, TimeUnit.SECONDS)
                    .awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        engine.close();
        log.info("emulator stopped");
    }

    @Override
    public String toString() {
        return "AliyunPlatformEmulator[" + (mqttAddress == null ? "not bound" : describe()) + "]";
    }
}
