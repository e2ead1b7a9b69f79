package io.thingflux.netty.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * MQTT over WebSocket settings of a client: the request path, the subprotocol (MQTT 3.1.1 §6:
 * {@value #DEFAULT_SUBPROTOCOL}), extra handshake headers and the largest frame. With {@link
 * MqttClientOptions.Builder#tls(MqttTlsOptions) TLS} the client speaks {@code wss://}, without it
 * {@code ws://}. Needs {@code io.netty:netty-codec-http} on the class path (an optional dependency
 * of this library).
 *
 * <p>An MQTT packet larger than {@link #maxFramePayload()} is sent as a fragmented message (one
 * binary frame and continuation frames); incoming frames are joined into the byte stream the MQTT
 * decoder reads, so a packet may span frames and a frame may hold several packets. An incoming
 * frame may be as large as the client's {@link MqttClientOptions#maxPacketSize()}; a larger one
 * closes the connection.
 */
public final class MqttWebSocketOptions {

    /** Default path: {@value}. */
    public static final String DEFAULT_PATH = "/mqtt";

    /** The MQTT subprotocol name: {@value}. */
    public static final String DEFAULT_SUBPROTOCOL = "mqtt";

    /** Default largest payload of a frame the client sends: 65,536 bytes. */
    public static final int DEFAULT_MAX_FRAME_PAYLOAD = 65_536;

    /** Default time for the HTTP upgrade: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final Builder settings;

    private MqttWebSocketOptions(Builder b) {
        this.settings = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Path {@value #DEFAULT_PATH}, subprotocol {@value #DEFAULT_SUBPROTOCOL}, no extra headers. */
    public static MqttWebSocketOptions defaults() {
        return builder().build();
    }

    public Builder mutate() {
        return settings.copy();
    }

    /** The request path (with any query). */
    public String path() {
        return settings.path;
    }

    public String subprotocol() {
        return settings.subprotocol;
    }

    /** Extra handshake headers, in insertion order; unmodifiable. */
    public Map<String, String> headers() {
        return settings.headers;
    }

    public int maxFramePayload() {
        return settings.maxFramePayload;
    }

    public Duration handshakeTimeout() {
        return settings.handshakeTimeout;
    }

    /** Header values are not shown: they may carry tokens. */
    @Override
    public String toString() {
        return "MqttWebSocketOptions[path="
                + path()
                + ", subprotocol="
                + subprotocol()
                + ", headers="
                + headers().keySet()
                + ", maxFramePayload="
                + maxFramePayload()
                + "]";
    }

    /** Builds {@link MqttWebSocketOptions}; every field is an immutable value. */
    public static final class Builder implements Cloneable {
        private String path = DEFAULT_PATH;
        private String subprotocol = DEFAULT_SUBPROTOCOL;
        private Map<String, String> headers = Map.of();
        private int maxFramePayload = DEFAULT_MAX_FRAME_PAYLOAD;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        private Builder() {}

        /** The request path, starting with {@code /}; default {@value #DEFAULT_PATH}. */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with /");
            }
            this.path = path;
            return this;
        }

        /** The subprotocol offered; default {@value #DEFAULT_SUBPROTOCOL}. */
        public Builder subprotocol(String subprotocol) {
            this.subprotocol = Objects.requireNonNull(subprotocol, "subprotocol");
            return this;
        }

        /** Adds a handshake header (e.g. a token a gateway in front of the broker checks). */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            this.headers = Collections.unmodifiableMap(copy);
            return this;
        }

        /**
         * Largest payload of a frame the client sends (larger packets are fragmented); default
         * {@link #DEFAULT_MAX_FRAME_PAYLOAD}.
         */
        public Builder maxFramePayload(int bytes) {
            if (bytes < 16) {
                throw new IllegalArgumentException("maxFramePayload must be at least 16");
            }
            this.maxFramePayload = bytes;
            return this;
        }

        /** Default {@link #DEFAULT_HANDSHAKE_TIMEOUT}. */
        public Builder handshakeTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshake timeout must be positive");
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        public MqttWebSocketOptions build() {
            return new MqttWebSocketOptions(copy());
        }

        private Builder copy() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
