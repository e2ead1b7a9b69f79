package io.thingflux.mqtt;

import java.util.List;

/** SUBACK (MQTT 3.1.1 §3.9): one return code per filter of the SUBSCRIBE, in order. */
public record SubAck(int packetId, List<SubAckReturnCode> returnCodes) implements MqttPacket {

    public SubAck {
        MqttPacket.requirePacketId(packetId);
        returnCodes = List.copyOf(returnCodes);
        if (returnCodes.isEmpty()) {
            throw new IllegalArgumentException("SUBACK needs at least one return code");
        }
    }

    public static SubAck of(int packetId, SubAckReturnCode... codes) {
        return new SubAck(packetId, List.of(codes));
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
