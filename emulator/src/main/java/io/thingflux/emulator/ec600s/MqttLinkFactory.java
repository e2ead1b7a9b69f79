package io.thingflux.emulator.ec600s;

import io.thingflux.link.MqttLink;

/** Makes the {@link MqttLink} an emulated module client uses for one {@code AT+QMTCONN}. */
@FunctionalInterface
public interface MqttLinkFactory {

    /**
     * A new, not yet connected link for {@code request}; the emulator connects and finally
     * disconnects it.
     */
    MqttLink create(MqttConnectRequest request);
}
