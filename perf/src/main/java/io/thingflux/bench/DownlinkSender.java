package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the platform to set properties on a device (the cloud side of a downlink), for example
 * through the emulator's admin API. Completes when the platform accepted the request, not when the
 * device got it.
 */
@FunctionalInterface
public interface DownlinkSender {

    CompletableFuture<Void> setProperties(AliyunDeviceIdentity device, Map<String, Object> items);
}
