package io.thingflux.spring.example;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * With no {@code thingflux.aliyun.product-key} configured (and {@code
 * thingflux.example.embedded-platform} not false), starts an {@link EmbeddedPlatform} and points
 * {@code thingflux.aliyun.*} (the device) and {@code thingflux.mqtt.*} (an application identity) at
 * it, with a fresh random secret; the platform becomes the bean {@code embeddedPlatform}, closed
 * with the context after the connections ended.
 */
public final class EmbeddedPlatformEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String PRODUCT_KEY = "a1ExampleKey";
    static final String DEVICE_NAME = "sensor-1";

    private final Log log;

    public EmbeddedPlatformEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(EmbeddedPlatformEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(
            ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("thingflux.aliyun.product-key")
                || !environment.getProperty(
                        "thingflux.example.embedded-platform", Boolean.class, true)) {
            return;
        }
        Duration demo =
                environment.getProperty(
                        "thingflux.example.demo-interval", Duration.class, Duration.ofSeconds(2));
        SecureRandom random = new SecureRandom();
        AliyunDeviceIdentity device =
                new AliyunDeviceIdentity(PRODUCT_KEY, DEVICE_NAME, randomHex(random));
        EmbeddedPlatform platform =
                new EmbeddedPlatform(device, "example-app", randomHex(random), demo);
        platform.start();
        log.info(
                "thingflux example: no thingflux.aliyun.product-key set, so the Aliyun platform"
                        + " emulator runs in process: "
                        + platform.emulator().describe()
                        + "; device "
                        + device);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("thingflux.aliyun.product-key", device.productKey());
        p.put("thingflux.aliyun.device-name", device.deviceName());
        p.put("thingflux.aliyun.device-secret", device.deviceSecret());
        p.put("thingflux.aliyun.host", "127.0.0.1");
        p.put("thingflux.aliyun.port", platform.mqttAddress().getPort());
        if (!environment.containsProperty("thingflux.mqtt.host")) {
            p.put("thingflux.mqtt.host", "127.0.0.1");
            p.put("thingflux.mqtt.port", platform.mqttAddress().getPort());
            p.put("thingflux.mqtt.username", platform.appUser());
            p.put("thingflux.mqtt.password", platform.appPassword());
        }
        p.put("thingflux.example.admin-url", platform.adminUrl());
        environment.getPropertySources().addLast(new MapPropertySource("embeddedPlatform", p));
        application.addInitializers(
                context -> {
                    if (context instanceof GenericApplicationContext g) {
                        g.registerBean(
                                "embeddedPlatform",
                                EmbeddedPlatform.class,
                                () -> platform,
                                bd -> bd.setDestroyMethodName("close"));
                    }
                });
    }

    private static String randomHex(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
