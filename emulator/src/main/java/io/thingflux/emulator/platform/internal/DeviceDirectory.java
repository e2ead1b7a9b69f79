package io.thingflux.emulator.platform.internal;

import io.thingflux.aliyun.AliyunProducts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices the OpenAPI changed at run time: those registered with RegisterDevice (at most {@link
 * #MAX_DEVICES}; beyond it RegisterDevice is refused), those deleted with DeleteDevice and those
 * disabled with DisableThing (each set at most {@link #MAX_DEVICES}; beyond it the request is
 * refused), and every device's IotId. Thread-safe.
 */
final class DeviceDirectory {

    /** The most devices registered, deleted or disabled at run time. */
    static final int MAX_DEVICES = 100_000;

    /**
     * A device registered at run time; its secret never reaches {@code toString}.
     *
     * @param createdMillis when it was registered
     */
    record Registered(
            String productKey,
            String deviceName,
            String secret,
            String nickname,
            long createdMillis) {
        @Override
        public String toString() {
            return "Registered[" + productKey + "/" + deviceName + "]";
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Registered> registered = new ConcurrentHashMap<>();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, String> keysByIotId = new ConcurrentHashMap<>();

    Registered registered(String pk, String dn) {
        return registered.get(PlatformAuthenticator.key(pk, dn));
    }

    boolean isDeleted(String pk, String dn) {
        return !deleted.isEmpty() && deleted.contains(PlatformAuthenticator.key(pk, dn));
    }

    boolean isDisabled(String pk, String dn) {
        return !disabled.isEmpty() && disabled.contains(PlatformAuthenticator.key(pk, dn));
    }

    /**
     * Registers {@code pk/dn} with {@code secret}, or with a fresh random one when {@code null};
     * returns {@code null} when it is already registered.
     */
    Registered register(String pk, String dn, String secret, String nickname, long now) {
        if (registered.size() >= MAX_DEVICES) {
            throw new io.thingflux.emulator.platform.EmulatorRequestException(
                    "iot.device.DeviceCountExceeded",
                    "the emulator registers at most " + MAX_DEVICES + " devices at run time");
        }
        String key = PlatformAuthenticator.key(pk, dn);
        Registered r =
                new Registered(pk, dn, secret != null ? secret : randomSecret(), nickname, now);
        if (registered.putIfAbsent(key, r) != null) {
            return null;
        }
        deleted.remove(key);
        iotId(pk, dn);
        return r;
    }

    /** Forgets a registered device and marks {@code pk/dn} deleted. */
    void delete(String pk, String dn) {
        String key = PlatformAuthenticator.key(pk, dn);
        registered.remove(key);
        disabled.remove(key);
        if (deleted.size() >= MAX_DEVICES) {
            throw new io.thingflux.emulator.platform.EmulatorRequestException(
                    "iot.device.DeviceCountExceeded",
                    "the emulator deletes at most " + MAX_DEVICES + " devices at run time");
        }
        deleted.add(key);
    }

    void setDisabled(String pk, String dn, boolean disable) {
        String key = PlatformAuthenticator.key(pk, dn);
        if (!disable) {
            disabled.remove(key);
        } else if (disabled.size() < MAX_DEVICES) {
            disabled.add(key);
        } else {
            throw new io.thingflux.emulator.platform.EmulatorRequestException(
                    "iot.device.DeviceCountExceeded",
                    "the emulator disables at most " + MAX_DEVICES + " devices");
        }
    }

    List<Registered> registeredOf(String pk) {
        return registered.values().stream().filter(r -> r.productKey().equals(pk)).toList();
    }

    /**
     * The device's IotId: 20 characters derived from its product key and name, then {@code 000100}
     * (the platform's IotIds are 26 characters too); remembered for {@link #keyOf}.
     */
    String iotId(String pk, String dn) {
        String key = PlatformAuthenticator.key(pk, dn);
        byte[] digest;
        try {
            digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String id =
                Base64.getEncoder()
                                .withoutPadding()
                                .encodeToString(digest)
                                .replace('+', 'x')
                                .replace('/', 'y')
                                .substring(0, 20)
                        + "000100";
        if (keysByIotId.size() >= MAX_DEVICES * 2) {
            keysByIotId.clear();
        }
        keysByIotId.putIfAbsent(id, key);
        return id;
    }

    /** The {@code pk/dn} key of an IotId {@link #iotId} handed out, or {@code null}. */
    String keyOf(String iotId) {
        return keysByIotId.get(iotId);
    }

    private String randomSecret() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The secret of a device of a product: as {@link AliyunProducts#deriveDeviceSecret}. */
    static String derivedSecret(String productSecret, String dn) {
        return AliyunProducts.deriveDeviceSecret(productSecret, dn);
    }
}
