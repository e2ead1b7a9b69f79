package io.thingflux.cli;

import io.thingflux.emulator.ec600s.MqttConnectRequest;
import io.thingflux.emulator.ec600s.MqttLinkFactory;
import io.thingflux.link.MqttLink;
import io.thingflux.link.ReconnectPolicy;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;

/**
 * The EC600S emulator's MQTT links, made with the Netty client on one shared event loop: one link
 * per {@code AT+QMTCONN}, connecting exactly once (a lost connection is the module's {@code
 * +QMTSTAT}, after which the host reopens; the link does not reconnect on its own).
 */
final class NettyEmulatorLinks implements MqttLinkFactory, AutoCloseable {

    private final MqttClientResources resources = MqttClientResources.create(1);

    @Override
    public MqttLink create(MqttConnectRequest request) {
        MqttClientOptions.Builder b =
                MqttClientOptions.builder(request.host(), request.port())
                        .clientId(request.clientId())
                        .keepAliveSeconds(request.keepAliveSeconds())
                        .cleanSession(request.cleanSession())
                        .reconnect(ReconnectPolicy.none())
                        .firstConnect(ReconnectPolicy.none());
        if (request.username() != null) {
            b.credentials(request.username(), request.password() == null ? "" : request.password());
        }
        if (request.tls() != null) {
            b.tls(request.tls().toTlsOptions()); // the module's AT+QSSLCFG context, for real
        }
        return NettyMqttLink.create(b.build(), resources);
    }

    @Override
    public void close() {
        resources.dispose();
    }
}
