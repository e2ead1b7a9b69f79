package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * netty-codec-http and netty-handler-proxy are optional: a client that uses neither WebSocket nor a
 * proxy connects with both missing from the class path (a class loader that hides them).
 */
class OptionalDependenciesTest {

    /** Loads everything itself, and nothing of codec-http or handler-proxy. */
    private static final class WithoutOptional extends URLClassLoader {
        final List<String> refused = new ArrayList<>();

        WithoutOptional(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.netty.handler.codec.http.")
                    || name.startsWith("io.netty.handler.proxy.")) {
                refused.add(name);
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    @Test
    void aPlainClientNeedsNeitherCodecHttpNorHandlerProxy() throws Exception {
        String[] entries = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        List<URL> urls = new ArrayList<>();
        for (String e : entries) {
            urls.add(Path.of(e).toUri().toURL());
        }
        try (AutoAckBroker broker = new AutoAckBroker();
                WithoutOptional loader = new WithoutOptional(urls.toArray(URL[]::new))) {
            int port = broker.port();
            Class<?> optionsClass = loader.loadClass(MqttClientOptions.class.getName());
            Object builder =
                    optionsClass
                            .getMethod("builder", String.class, int.class)
                            .invoke(null, "127.0.0.1", port);
            Method build = builder.getClass().getMethod("build");
            Object options = build.invoke(builder);
            Class<?> resourcesClass = loader.loadClass(MqttClientResources.class.getName());
            Object resources = resourcesClass.getMethod("create", int.class).invoke(null, 1);
            Class<?> clientClass = loader.loadClass(MqttClient.class.getName());
            Object client =
                    clientClass
                            .getMethod("create", optionsClass, resourcesClass)
                            .invoke(null, options, resources);
            Object connect = clientClass.getMethod("connect").invoke(client);
            Object ack =
                    connect.getClass()
                            .getMethod("block", Duration.class)
                            .invoke(connect, Duration.ofSeconds(10));
            assertThat(ack).isNotNull();
            Object disconnect = clientClass.getMethod("disconnect").invoke(client);
            disconnect
                    .getClass()
                    .getMethod("block", Duration.class)
                    .invoke(disconnect, Duration.ofSeconds(10));
            // shut the event loop down before the loader closes
            Object disposed = resourcesClass.getMethod("disposeLater").invoke(resources);
            disposed.getClass()
                    .getMethod("block", Duration.class)
                    .invoke(disposed, Duration.ofSeconds(10));
            assertThat(loader.refused).isEmpty();
        }
    }
}
