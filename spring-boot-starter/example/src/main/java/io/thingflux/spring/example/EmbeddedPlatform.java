package io.thingflux.spring.example;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The Aliyun platform emulator the example starts in process when no {@code thingflux.aliyun.*} is
 * configured: one device, one application identity for raw subscriptions, the admin HTTP API, and
 * (unless {@code thingflux.example.demo-interval} is 0) a property set pushed to the device at that
 * interval, so the streams show live data at once. It can be stopped and started again on the same
 * ports, as a platform outage.
 */
public final class EmbeddedPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPlatform.class);

    private final AliyunDeviceIdentity device;
    private final String appUser;
    private final String appPassword;
    private final Duration demoInterval;
    private EmulatorOptions options;
    private volatile AliyunPlatformEmulator emulator;
    private Disposable demo;

    EmbeddedPlatform(
            AliyunDeviceIdentity device,
            String appUser,
            String appPassword,
            Duration demoInterval) {
        this.device = device;
        this.appUser = appUser;
        this.appPassword = appPassword;
        this.demoInterval = demoInterval;
        this.options =
                EmulatorOptions.builder()
                        .port(0)
                        .adminPort(0)
                        .device(device)
                        .app(appUser, appPassword)
                        .build();
    }

    /** Starts the emulator (the first time on free ports, later on the same ones). */
    synchronized void start() {
        AliyunPlatformEmulator e = AliyunPlatformEmulator.start(options);
        options =
                options.mutate()
                        .port(e.mqttAddress().getPort())
                        .adminPort(e.adminAddress().orElseThrow().getPort())
                        .build();
        emulator = e;
        if (!demoInterval.isZero() && demo == null) {
            demo = Flux.interval(demoInterval, demoInterval).subscribe(this::pushDemoProperty);
        }
        log.debug("emulator started: {}", e.describe());
    }

    /** Stops the emulator, as a platform outage; {@link #restart()} brings it back. */
    public synchronized void stop() {
        AliyunPlatformEmulator e = emulator;
        if (e != null) {
            emulator = null;
            e.close();
        }
    }

    /** Starts the emulator again on the ports it had. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** The running emulator. */
    public AliyunPlatformEmulator emulator() {
        AliyunPlatformEmulator e = emulator;
        if (e == null) {
            throw new IllegalStateException("the embedded platform is stopped");
        }
        return e;
    }

    public AliyunDeviceIdentity device() {
        return device;
    }

    InetSocketAddress mqttAddress() {
        return emulator().mqttAddress();
    }

    /** The admin HTTP API's base address, e.g. {@code http://127.0.0.1:8080}. */
    public String adminUrl() {
        InetSocketAddress a = emulator().adminAddress().orElseThrow();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    String appUser() {
        return appUser;
    }

    String appPassword() {
        return appPassword;
    }

    private void pushDemoProperty(long tick) {
        AliyunPlatformEmulator e = emulator;
        if (e == null) {
            return;
        }
        try {
            e.setProperties(
                    device.productKey(),
                    device.deviceName(),
                    "{\"PowerSwitch\":" + (tick % 2) + ",\"Tick\":" + tick + "}");
        } catch (RuntimeException notOnline) {
            // the device is not connected (yet): the next tick tries again
        }
    }

    @Override
    public synchronized void close() {
        if (demo != null) {
            demo.dispose();
        }
        stop();
    }
}
