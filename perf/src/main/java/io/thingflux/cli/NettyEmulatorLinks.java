package io.thingflux.cli;

import io.thingflux.link.MqttLink;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.netty.client.NettyMqttLink;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.emulator.ec600s.MqttConnectRequest;
import io.thingflux.emulator.ec600s.MqttLinkFactory;
import java.util.OptionalInt;

/**
 * The EC600S emulator's MQTT links, made with the Netty client on one shared event loop: one link per
 * {@code AT+QMTCONN}, connecting exactly once (a lost connection is the module's {@code +QMTSTAT}, after
 * which the host reopens; the link does not reconnect on its own).
 */
final class NettyEmulatorLinks implements MqttLinkFactory, AutoCloseable {

    private final MqttClientResources resources = MqttClientResources.create(1);

    @Override
    public MqttLink create(MqttConnectRequest request) {
        MqttClientOptions.Builder b = MqttClientOptions.builder(request.host(), request.port())
                .clientId(request.clientId())
                .keepAliveSeconds(request.keepAliveSeconds())
                .cleanSession(request.cleanSession())
                .reconnect(ReconnectPolicy.none())
                .firstConnect(ReconnectPolicy.none());
        if (request.username() != null) {
            b.credentials(request.username(), request.password() == null ? "" : request.password());
        }
        return NettyMqttLink.create(b.build(), resources);
    }

    /** The CONNACK return code of a refused connect, for {@code +QMTCONN: idx,0,<code>}. */
    static OptionalInt refusalCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectRefusedException c) {
                return OptionalInt.of(c.returnCode().code());
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public void close() {
        resources.dispose();
    }
}
