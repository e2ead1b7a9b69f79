package io.thingflux.spring;

import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.link.outbox.OverflowPolicy;
import io.thingflux.netty.client.MqttClientOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code thingflux.*} configuration: the shared client resources, an MQTT client ({@code
 * thingflux.mqtt.*}, created when {@code thingflux.mqtt.host} is set) and an Aliyun thing-model
 * device ({@code thingflux.aliyun.*}, created when {@code thingflux.aliyun.product-key} is set).
 * Checked when the beans are created: a missing secret or a bad host fails startup with one line
 * naming the property. No {@code toString} here shows a secret.
 */
@ConfigurationProperties(prefix = "thingflux")
public class ThingfluxProperties {

    /** Event-loop threads shared by every client; 0 for one per available processor. */
    private int eventLoopThreads = 0;

    /**
     * How long shutdown waits for in-flight QoS 1 publishes and pending requests before it sends
     * DISCONNECT anyway (what is left then fails and is logged).
     */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private final Mqtt mqtt = new Mqtt();

    private final Aliyun aliyun = new Aliyun();

    public int getEventLoopThreads() {
        return eventLoopThreads;
    }

    public void setEventLoopThreads(int eventLoopThreads) {
        this.eventLoopThreads = eventLoopThreads;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Mqtt getMqtt() {
        return mqtt;
    }

    public Aliyun getAliyun() {
        return aliyun;
    }

    @Override
    public String toString() {
        return "ThingfluxProperties[mqtt=" + mqtt + ", aliyun=" + aliyun + "]";
    }

    /** What both kinds of connection share: keepalive, reconnect, outbox, TLS. */
    public abstract static class Connection {

        /** Keepalive interval (whole seconds). */
        private Duration keepAlive =
                Duration.ofSeconds(MqttClientOptions.DEFAULT_KEEP_ALIVE_SECONDS);

        /** TCP connect timeout of each attempt. */
        private Duration connectTimeout = MqttClientOptions.DEFAULT_CONNECT_TIMEOUT;

        /** Publishes held while offline or beyond the in-flight window. */
        private int outboxCapacity = MqttClientOptions.DEFAULT_OUTBOX_CAPACITY;

        /** What a publish meets when the outbox is full. */
        private OverflowPolicy outboxPolicy = OverflowPolicy.FAIL;

        @NestedConfigurationProperty private final Reconnect reconnect = new Reconnect();

        @NestedConfigurationProperty private final Tls tls = new Tls();

        public Duration getKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public int getOutboxCapacity() {
            return outboxCapacity;
        }

        public void setOutboxCapacity(int outboxCapacity) {
            this.outboxCapacity = outboxCapacity;
        }

        public OverflowPolicy getOutboxPolicy() {
            return outboxPolicy;
        }

        public void setOutboxPolicy(OverflowPolicy outboxPolicy) {
            this.outboxPolicy = outboxPolicy;
        }

        public Reconnect getReconnect() {
            return reconnect;
        }

        public Tls getTls() {
            return tls;
        }
    }

    /** {@code thingflux.mqtt.*}: an MQTT client for any broker (or an application identity). */
    public static class Mqtt extends Connection {

        /** Broker host name or address; the client is created when it is set. */
        private String host;

        /** Broker port. */
        private int port = 1883;

        /** MQTT client id; generated when unset. */
        private String clientId;

        /** User name. */
        private String username;

        /** Password; never shown by the actuator or in logs. */
        private String password;

        /** Whether the broker should forget the session on connect. */
        private boolean cleanSession = true;

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public boolean isCleanSession() {
            return cleanSession;
        }

        public void setCleanSession(boolean cleanSession) {
            this.cleanSession = cleanSession;
        }

        @Override
        public String toString() {
            return "Mqtt[host=" + host + ", port=" + port + ", username=" + username + "]";
        }
    }

    /** {@code thingflux.aliyun.*}: one Aliyun IoT thing-model device. */
    public static class Aliyun extends Connection {

        /** Product key; the device is created when it is set. */
        private String productKey;

        /** Device name. */
        private String deviceName;

        /**
         * Device secret (one device, one secret), from any property source (e.g. the environment
         * variable THINGFLUX_ALIYUN_DEVICESECRET); never shown by the actuator or in logs.
         */
        private String deviceSecret;

        /** Region of the legacy public instance; used when neither instance-id nor host is set. */
        private String region = AliyunEndpoints.DEFAULT_REGION;

        /** Instance id of a new public or Enterprise instance: the host is derived from it. */
        private String instanceId;

        /** Host to connect to instead of the one derived from region or instance-id. */
        private String host;

        /** Port; default 1883, or 8883 with TLS on an instance id. */
        private Integer port;

        /** How long a request (e.g. a property post) waits for the platform's reply. */
        private Duration replyTimeout = Duration.ofSeconds(10);

        /** Incoming messages buffered for the slowest subscriber of the device's messages. */
        private int incomingBufferSize = 1024;

        @NestedConfigurationProperty private final Sign sign = new Sign();

        public String getProductKey() {
            return productKey;
        }

        public void setProductKey(String productKey) {
            this.productKey = productKey;
        }

        public String getDeviceName() {
            return deviceName;
        }

        public void setDeviceName(String deviceName) {
            this.deviceName = deviceName;
        }

        public String getDeviceSecret() {
            return deviceSecret;
        }

        public void setDeviceSecret(String deviceSecret) {
            this.deviceSecret = deviceSecret;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getInstanceId() {
            return instanceId;
        }

        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public Integer getPort() {
            return port;
        }

        public void setPort(Integer port) {
            this.port = port;
        }

        public Duration getReplyTimeout() {
            return replyTimeout;
        }

        public void setReplyTimeout(Duration replyTimeout) {
            this.replyTimeout = replyTimeout;
        }

        public int getIncomingBufferSize() {
            return incomingBufferSize;
        }

        public void setIncomingBufferSize(int incomingBufferSize) {
            this.incomingBufferSize = incomingBufferSize;
        }

        public Sign getSign() {
            return sign;
        }

        @Override
        public String toString() {
            return "Aliyun[productKey="
                    + productKey
                    + ", deviceName="
                    + deviceName
                    + ", region="
                    + region
                    + ", instanceId="
                    + instanceId
                    + ", host="
                    + host
                    + "]";
        }
    }

    /** How the device signs its CONNECT (Aliyun doc 73742). */
    public static class Sign {

        /** The HMAC of the password. */
        private SignMethod method = SignMethod.HMACSHA256;

        /** The clientId before its parameters; default productKey.deviceName. */
        private String clientId;

        /** Whether to sign with the current time (timestamp=...). */
        private boolean timestamp = false;

        public SignMethod getMethod() {
            return method;
        }

        public void setMethod(SignMethod method) {
            this.method = method;
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public boolean isTimestamp() {
            return timestamp;
        }

        public void setTimestamp(boolean timestamp) {
            this.timestamp = timestamp;
        }
    }

    /** Exponential back-off between connection attempts, without a limit on their number. */
    public static class Reconnect {

        /** Delay before the second attempt. */
        private Duration initialDelay = Duration.ofSeconds(1);

        /** Longest delay between attempts. */
        private Duration maxDelay = Duration.ofMinutes(2);

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }
    }

    /** TLS of a connection. */
    public static class Tls {

        /** Whether to connect with TLS. */
        private boolean enabled = false;

        /**
         * PEM file of the roots to trust (for Aliyun: GlobalSign Root CA R1 on 1883/443, Aliyun's
         * root on 8883); the JDK's trust store when unset.
         */
        private String trustPem;

        /** Whether to check the server's host name against its certificate. */
        private boolean hostnameVerification = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getTrustPem() {
            return trustPem;
        }

        public void setTrustPem(String trustPem) {
            this.trustPem = trustPem;
        }

        public boolean isHostnameVerification() {
            return hostnameVerification;
        }

        public void setHostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
        }
    }
}
