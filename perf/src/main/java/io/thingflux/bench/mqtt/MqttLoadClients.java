package io.thingflux.bench.mqtt;

/** Makes the {@link MqttLoadClient} a run asked for. */
public final class MqttLoadClients {

    private MqttLoadClients() {}

    /** The client {@code target} names, connecting to it. */
    public static MqttLoadClient create(MqttTarget target) {
        return switch (target.client()) {
            case HIVEMQ -> new HiveMqMqttLoad(target);
            case NETTY_CODEC -> new CodecMqttLoad(target);
            default -> new ThingfluxMqttLoad(target);
        };
    }
}
