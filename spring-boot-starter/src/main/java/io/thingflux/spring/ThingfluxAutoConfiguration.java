package io.thingflux.spring;

import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.netty.client.MqttClient;
import io.thingflux.netty.client.MqttClientMetrics;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.MqttTlsOptions;
import io.thingflux.netty.client.NettyMqttLink;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of thingflux: the shared {@link MqttClientResources} (disposed after every
 * bean that uses it), an {@link MqttClient} when {@code thingflux.mqtt.host} is set and an {@link
 * AliyunDevice} when {@code thingflux.aliyun.product-key} is set, each backing off when the
 * application defines its own bean of that type. The connections it makes are {@link
 * ThingfluxConnection}s, started in the background by {@link ThingfluxLifecycle}: the context never
 * waits for the network.
 */
@AutoConfiguration
@EnableConfigurationProperties(ThingfluxProperties.class)
public class ThingfluxAutoConfiguration {

    /**
     * Host names and addresses: letters, digits, '-', '.', '_', ':' of IPv6; no scheme, no port.
     */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[?[0-9A-Fa-f:.]+\\]?");

    /**
     * The event loops every client shares; the application may give its own (and then disposes it
     * itself). Disposed when the context closes, after the beans that use it.
     */
    @Bean(destroyMethod = "dispose")
    @ConditionalOnMissingBean
    public MqttClientResources thingfluxClientResources(ThingfluxProperties properties) {
        int threads = properties.getEventLoopThreads();
        return threads > 0 ? MqttClientResources.create(threads) : MqttClientResources.create();
    }

    /** Connects the starter's connections in the background and ends them gracefully. */
    @Bean
    public ThingfluxLifecycle thingfluxLifecycle(
            List<ThingfluxConnection> connections, ThingfluxProperties properties) {
        return new ThingfluxLifecycle(connections, properties.getShutdownTimeout());
    }

    /** The client of {@code thingflux.mqtt.*}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "thingflux.mqtt", name = "host")
    @ConditionalOnMissingBean(MqttClient.class)
    static class MqttClientConfiguration {

        @Bean
        ThingfluxConnection thingfluxMqttConnection(
                ThingfluxProperties properties,
                MqttClientResources resources,
                ObjectProvider<ThingfluxClientMetrics> metrics) {
            ThingfluxProperties.Mqtt p = properties.getMqtt();
            String host = requireHost(p.getHost(), "thingflux.mqtt.host");
            requirePort(p.getPort(), "thingflux.mqtt.port");
            MqttClientOptions.Builder b = common(MqttClientOptions.builder(host, p.getPort()), p);
            b.cleanSession(p.isCleanSession());
            if (p.getClientId() != null && !p.getClientId().isBlank()) {
                b.clientId(p.getClientId());
            }
            if (p.getUsername() != null && !p.getUsername().isBlank()) {
                b.credentials(p.getUsername(), p.getPassword());
            } else if (p.getPassword() != null) {
                throw new ThingfluxConfigurationException(
                        "thingflux.mqtt.username",
                        "thingflux.mqtt.password is set but thingflux.mqtt.username is not:"
                                + " MQTT sends a password only with a user name");
            }
            ThingfluxConnection.ClientSignals signals =
                    new ThingfluxConnection.ClientSignals(metricsFor(metrics, "mqtt"));
            MqttClient client = MqttClient.create(b.metrics(signals).build(), resources);
            return new ThingfluxConnection(
                    "mqtt",
                    host + ":" + p.getPort(),
                    client,
                    () -> client.connect().then(),
                    client::disconnect,
                    () -> 0,
                    signals);
        }

        @Bean
        MqttClient thingfluxMqttClient(
                @Qualifier("thingfluxMqttConnection") ThingfluxConnection thingfluxMqttConnection) {
            return thingfluxMqttConnection.client();
        }
    }

    /** The device of {@code thingflux.aliyun.*}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "thingflux.aliyun", name = "product-key")
    @ConditionalOnMissingBean(AliyunDevice.class)
    static class AliyunDeviceConfiguration {

        @Bean
        ThingfluxAliyunDevice thingfluxAliyunDevice(
                ThingfluxProperties properties,
                MqttClientResources resources,
                ObjectProvider<ThingfluxClientMetrics> metrics) {
            ThingfluxProperties.Aliyun p = properties.getAliyun();
            AliyunDeviceIdentity identity = identity(p);
            boolean tls = p.getTls().isEnabled();
            String host;
            if (p.getHost() != null) {
                host = requireHost(p.getHost(), "thingflux.aliyun.host");
            } else if (p.getInstanceId() != null && !p.getInstanceId().isBlank()) {
                host =
                        AliyunEndpoints.instanceHost(
                                requireName(p.getInstanceId(), "thingflux.aliyun.instance-id"));
            } else {
                host =
                        AliyunEndpoints.legacyHost(
                                identity.productKey(),
                                requireName(p.getRegion(), "thingflux.aliyun.region"));
            }
            int port =
                    p.getPort() != null
                            ? p.getPort()
                            : tls && p.getInstanceId() != null
                                    ? AliyunEndpoints.PORT_TLS
                                    : AliyunEndpoints.PORT_TCP;
            requirePort(port, "thingflux.aliyun.port");
            AliyunSigner.Builder signer =
                    AliyunSigner.builder()
                            .method(p.getSign().getMethod())
                            .secureMode(
                                    tls
                                            ? AliyunSigner.SECURE_MODE_TLS
                                            : AliyunSigner.SECURE_MODE_TCP);
            if (p.getSign().getClientId() != null) {
                signer.clientId(p.getSign().getClientId());
            }
            if (p.getSign().isTimestamp()) {
                signer.timestamp(System.currentTimeMillis());
            }
            ThingfluxConnection.ClientSignals signals =
                    new ThingfluxConnection.ClientSignals(metricsFor(metrics, "aliyun"));
            MqttClientOptions options =
                    common(MqttClientOptions.builder(host, port), p)
                            .aliyun(identity, signer.build())
                            .metrics(signals)
                            .build();
            NettyMqttLink link = NettyMqttLink.create(options, resources);
            AliyunDevice device =
                    AliyunDevice.create(
                            link,
                            identity,
                            AliyunDeviceOptions.builder()
                                    .replyTimeout(p.getReplyTimeout())
                                    .incomingBufferSize(p.getIncomingBufferSize())
                                    .build());
            ThingfluxConnection connection =
                    new ThingfluxConnection(
                            "aliyun",
                            host + ":" + port,
                            link.client(),
                            device::connect,
                            device::disconnect,
                            device::pendingRequests,
                            signals);
            return new ThingfluxAliyunDevice(device, connection);
        }

        @Bean
        ThingfluxConnection thingfluxAliyunConnection(ThingfluxAliyunDevice thingfluxAliyunDevice) {
            return thingfluxAliyunDevice.connection();
        }

        @Bean
        AliyunDevice aliyunDevice(ThingfluxAliyunDevice thingfluxAliyunDevice) {
            return thingfluxAliyunDevice.device();
        }
    }

    private static MqttClientMetrics metricsFor(
            ObjectProvider<ThingfluxClientMetrics> metrics, String connection) {
        ThingfluxClientMetrics factory = metrics.getIfAvailable();
        return factory == null ? MqttClientMetrics.NONE : factory.forConnection(connection);
    }

    private static MqttClientOptions.Builder common(
            MqttClientOptions.Builder b, ThingfluxProperties.Connection p) {
        String prefix =
                p instanceof ThingfluxProperties.Aliyun ? "thingflux.aliyun" : "thingflux.mqtt";
        ReconnectPolicy reconnect;
        try {
            reconnect =
                    ReconnectPolicy.exponential()
                            .withDelays(
                                    p.getReconnect().getInitialDelay(),
                                    p.getReconnect().getMaxDelay());
        } catch (IllegalArgumentException e) {
            throw new ThingfluxConfigurationException(
                    prefix + ".reconnect",
                    prefix
                            + ".reconnect: initial-delay must be at least 0 and at most"
                            + " max-delay");
        }
        try {
            b.keepAliveSeconds((int) p.getKeepAlive().toSeconds())
                    .connectTimeout(p.getConnectTimeout())
                    .outbox(p.getOutboxCapacity(), p.getOutboxPolicy());
        } catch (IllegalArgumentException e) {
            throw new ThingfluxConfigurationException(prefix, prefix + ": " + e.getMessage());
        }
        // the first connect retries like a reconnect: the application starts whatever the network
        b.reconnect(reconnect).firstConnect(reconnect);
        ThingfluxProperties.Tls tls = p.getTls();
        if (tls.isEnabled()) {
            MqttTlsOptions.Builder t =
                    MqttTlsOptions.builder().hostnameVerification(tls.isHostnameVerification());
            if (tls.getTrustPem() != null) {
                t.trustPem(Path.of(tls.getTrustPem()));
            }
            b.tls(t.build());
        }
        return b;
    }

    private static AliyunDeviceIdentity identity(ThingfluxProperties.Aliyun p) {
        String productKey = requireName(p.getProductKey(), "thingflux.aliyun.product-key");
        String deviceName = requireName(p.getDeviceName(), "thingflux.aliyun.device-name");
        String secret = p.getDeviceSecret();
        if (secret == null || secret.isBlank()) {
            throw new ThingfluxConfigurationException(
                    "thingflux.aliyun.device-secret",
                    "thingflux.aliyun.device-secret is not set for device "
                            + productKey
                            + "/"
                            + deviceName
                            + ": give it in any property source, e.g. the environment variable"
                            + " THINGFLUX_ALIYUN_DEVICESECRET");
        }
        return new AliyunDeviceIdentity(productKey, deviceName, secret);
    }

    /** A product key, device name, region or instance id: text without '/', '&' or blanks. */
    private static String requireName(String value, String property) {
        if (value == null || value.isBlank()) {
            throw new ThingfluxConfigurationException(property, property + " is not set");
        }
        if (!value.matches("[A-Za-z0-9._:@-]+")) {
            throw new ThingfluxConfigurationException(
                    property,
                    property
                            + " '"
                            + value
                            + "' has characters the platform does not accept (letters, digits"
                            + " and . _ - : @ only)");
        }
        return value;
    }

    static String requireHost(String host, String property) {
        if (host == null || host.isBlank()) {
            throw new ThingfluxConfigurationException(property, property + " is not set");
        }
        String h = host.strip();
        if (!HOST.matcher(h).matches() || h.startsWith(".") || h.endsWith(".")) {
            throw new ThingfluxConfigurationException(
                    property,
                    property
                            + " '"
                            + host
                            + "' is not a host name or address: give the host alone (no scheme,"
                            + " path or port; the port is a property of its own)");
        }
        return h;
    }

    private static void requirePort(int port, String property) {
        if (port < 1 || port > 65_535) {
            throw new ThingfluxConfigurationException(
                    property, property + " must be 1..65535, was " + port);
        }
    }
}
