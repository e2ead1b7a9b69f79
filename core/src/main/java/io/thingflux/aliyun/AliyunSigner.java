package io.thingflux.aliyun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a device into the platform over MQTT (Aliyun doc 73742):
 *
 * <pre>
 * mqttClientId = clientId + "|securemode=" + mode + ",signmethod=" + method [+ ",timestamp=" + ts] [+ extras] + "|"
 * username     = deviceName + "&amp;" + productKey
 * password     = lowercase hex HMAC-method(key = deviceSecret,
 *                  "clientId" + clientId + "deviceName" + deviceName + "productKey" + productKey [+ "timestamp" + ts])
 * </pre>
 *
 * Instances are immutable; build one with {@link #builder()}.
 */
public final class AliyunSigner {

    /** Secure mode 2: TLS direct connection. */
    public static final int SECURE_MODE_TLS = 2;

    /** Secure mode 3: TCP direct connection (plaintext). */
    public static final int SECURE_MODE_TCP = 3;

    private final SignMethod method;
    private final int secureMode;
    private final String clientId;
    private final Long timestamp;
    private final Map<String, String> extraParams;

    private AliyunSigner(Builder b) {
        this.method = b.method;
        this.secureMode = b.secureMode;
        this.clientId = b.clientId;
        this.timestamp = b.timestamp;
        // in the order given: Map.copyOf would iterate in an order that changes from one JVM run to
        // the next
        this.extraParams = Collections.unmodifiableMap(new LinkedHashMap<>(b.extraParams));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A signer with the defaults: hmacsha256, secure mode 3 (TCP), no timestamp, clientId {@code
     * pk.dn}.
     */
    public static AliyunSigner defaults() {
        return builder().build();
    }

    public SignMethod method() {
        return method;
    }

    public int secureMode() {
        return secureMode;
    }

    /**
     * The clientId set on the builder, if any; by default {@code productKey.deviceName} is used.
     */
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    /** The CONNECT credentials for {@code device}. */
    public MqttCredentials sign(AliyunDeviceIdentity device) {
        Objects.requireNonNull(device, "device");
        String cid = clientId != null ? clientId : device.productKey() + "." + device.deviceName();
        StringBuilder mqttClientId =
                new StringBuilder(cid.length() + 64)
                        .append(cid)
                        .append("|securemode=")
                        .append(secureMode)
                        .append(",signmethod=")
                        .append(method.wireName());
        if (timestamp != null) {
            mqttClientId.append(",timestamp=").append(timestamp.longValue());
        }
        extraParams.forEach((k, v) -> mqttClientId.append(',').append(k).append('=').append(v));
        mqttClientId.append('|');
        String password =
                password(
                        method,
                        device.deviceSecret(),
                        cid,
                        device.deviceName(),
                        device.productKey(),
                        timestamp == null ? null : timestamp.toString());
        return new MqttCredentials(mqttClientId.toString(), device.username(), password);
    }

    /**
     * The password the platform expects: lowercase hex of the HMAC over the sorted, concatenated
     * parameters. {@code clientId} and {@code timestamp} may be {@code null} (left out of the
     * content).
     */
    public static String password(
            SignMethod method,
            String deviceSecret,
            String clientId,
            String deviceName,
            String productKey,
            String timestamp) {
        StringBuilder content = new StringBuilder(128);
        if (clientId != null) {
            content.append("clientId").append(clientId);
        }
        content.append("deviceName").append(deviceName).append("productKey").append(productKey);
        if (timestamp != null) {
            content.append("timestamp").append(timestamp);
        }
        return hmacHex(method, deviceSecret, content.toString());
    }

    /**
     * The password of a dynamic registration over MQTT (doc 132111): HMAC(productSecret,
     * "deviceName" + dn + "productKey" + pk + "random" + random).
     */
    public static String registrationPassword(
            SignMethod method,
            String productSecret,
            String productKey,
            String deviceName,
            String random) {
        return hmacHex(
                method,
                productSecret,
                "deviceName" + deviceName + "productKey" + productKey + "random" + random);
    }

    /** Lowercase hex HMAC of {@code content} keyed with the UTF-8 bytes of {@code key}. */
    public static String hmacHex(SignMethod method, String key, String content) {
        try {
            Mac mac = Mac.getInstance(method.jcaName());
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), method.jcaName()));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            // every JRE ships these three; say which without echoing the key
            throw new IllegalStateException("HMAC " + method.jcaName() + " unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "AliyunSigner[method="
                + method.wireName()
                + ", securemode="
                + secureMode
                + (timestamp != null ? ", timestamp=" + timestamp : "")
                + (clientId != null ? ", clientId=" + clientId : "")
                + "]";
    }

    /** Builds an {@link AliyunSigner}. */
    public static final class Builder {
        private SignMethod method = SignMethod.HMACSHA256;
        private int secureMode = SECURE_MODE_TCP;
        private String clientId;
        private Long timestamp;
        private final Map<String, String> extraParams = new LinkedHashMap<>();

        private Builder() {}

        /** The HMAC; default hmacsha256. */
        public Builder method(SignMethod method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /** 2 for TLS, 3 for plain TCP (default 3). */
        public Builder secureMode(int secureMode) {
            if (secureMode != SECURE_MODE_TLS && secureMode != SECURE_MODE_TCP) {
                throw new IllegalArgumentException(
                        "securemode must be 2 (TLS) or 3 (TCP), was " + secureMode);
            }
            this.secureMode = secureMode;
            return this;
        }

        /**
         * The clientId before the extension parameters; default {@code productKey.deviceName}. At
         * most 64 characters.
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId");
            if (clientId.isEmpty() || clientId.length() > 64) {
                throw new IllegalArgumentException(
                        "clientId must be 1..64 characters, was " + clientId.length());
            }
            for (int i = 0; i < clientId.length(); i++) {
                char c = clientId.charAt(i);
                if (c == '|' || c == ',' || c == '=' || c < 0x20) {
                    throw new IllegalArgumentException(
                            "clientId must not contain '|', ',', '=' or control characters");
                }
            }
            this.clientId = clientId;
            return this;
        }

        /** Epoch milliseconds to sign with, or {@code null} for none (the default). */
        public Builder timestamp(Long timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /**
         * An extra clientId extension parameter that is not signed (e.g. {@code ext=1} for
         * custom-topic RRPC).
         */
        public Builder extraParam(String key, String value) {
            if (key.isEmpty() || key.matches(".*[|,=].*") || value.matches(".*[|,=].*")) {
                throw new IllegalArgumentException(
                        "extension parameters must not contain '|', ',' or '='");
            }
            if (key.equals("securemode") || key.equals("signmethod") || key.equals("timestamp")) {
                throw new IllegalArgumentException(
                        "set " + key + " through its own builder method");
            }
            extraParams.put(key, value);
            return this;
        }

        public AliyunSigner build() {
            return new AliyunSigner(this);
        }
    }
}
