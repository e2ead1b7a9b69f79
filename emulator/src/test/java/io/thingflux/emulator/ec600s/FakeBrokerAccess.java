package io.thingflux.emulator.ec600s;

import io.thingflux.link.LinkMessage;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttQos;
import java.util.List;

/** Public face of the package-private {@link FakeBroker} for tests in other packages. */
public final class FakeBrokerAccess {

    private final FakeBroker broker = new FakeBroker();

    public MqttLinkFactory factory() {
        return broker;
    }

    public List<MqttConnectRequest> connects() {
        return broker.connects;
    }

    public List<LinkMessage> published() {
        return broker.published;
    }

    public int subscribers(String filter) {
        return broker.subscribers(filter);
    }

    public int liveLinks() {
        return broker.links.size();
    }

    public void publish(String topic, byte[] payload, MqttQos qos) {
        broker.publish(topic, payload, qos);
    }

    /** Delivers to every link's unsolicited flux, as the platform pushes without a subscription. */
    public void pushUnsolicited(String topic, byte[] payload) {
        broker.publish(topic, payload, MqttQos.AT_MOST_ONCE);
    }

    public void refuseFilter(String filter) {
        broker.refuseFilter = f -> f.equals(filter);
    }

    /** Every connect fails without a CONNACK (the module reports {@code +QMTCONN: idx,2}). */
    public void refuseConnections() {
        broker.accept = r -> false;
    }

    /** Connects succeed again after {@link #refuseConnections()}. */
    public void acceptConnections() {
        broker.refusal = null;
        broker.accept = r -> true;
    }

    /**
     * Every connect is refused with this CONNACK return code ({@link
     * io.thingflux.link.ConnectRefusedException}).
     */
    public void refuseConnections(ConnectReturnCode code) {
        broker.refusal = code;
        broker.accept = r -> false;
    }
}
