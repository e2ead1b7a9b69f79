package io.thingflux.alink;

import java.net.http.HttpClient;
import java.util.Objects;

/**
 * The platform services of one {@link AliyunDevice} beside its thing model: {@link DeviceShadow},
 * {@link RemoteConfig}, {@link DeviceTags} and {@link DeviceOta}, on the device's link (so both
 * transports have them); file downloads use the JDK's {@link HttpClient}. The device must subscribe
 * to {@link AlinkTopics#platformSubscriptions()}: build its options with {@link
 * #subscribe(AliyunDeviceOptions.Builder, String, String)}.
 */
public final class PlatformServices {

    private final DeviceShadow shadow;
    private final RemoteConfig config;
    private final DeviceTags tags;
    private final DeviceOta ota;

    private PlatformServices(AliyunDevice device, HttpClient http) {
        this.shadow = new DeviceShadow(device);
        this.config = new RemoteConfig(device, http);
        this.tags = new DeviceTags(device);
        this.ota = new DeviceOta(device, http);
    }

    /** The services of {@code device}, downloading with a default {@link HttpClient}. */
    public static PlatformServices of(AliyunDevice device) {
        return of(device, HttpClient.newHttpClient());
    }

    /**
     * The services of {@code device}, downloading with {@code http} (e.g. one trusting a private
     * CA).
     */
    public static PlatformServices of(AliyunDevice device, HttpClient http) {
        return new PlatformServices(Objects.requireNonNull(device, "device"), http);
    }

    /** Adds {@link AlinkTopics#platformSubscriptions()} of {@code pk}/{@code dn} to {@code b}. */
    public static AliyunDeviceOptions.Builder subscribe(
            AliyunDeviceOptions.Builder b, String productKey, String deviceName) {
        new AlinkTopics(productKey, deviceName)
                .platformSubscriptions()
                .forEach(b::additionalSubscription);
        return b;
    }

    public DeviceShadow shadow() {
        return shadow;
    }

    public RemoteConfig config() {
        return config;
    }

    public DeviceTags tags() {
        return tags;
    }

    public DeviceOta ota() {
        return ota;
    }
}
