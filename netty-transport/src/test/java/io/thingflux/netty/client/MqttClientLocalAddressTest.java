package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class MqttClientLocalAddressTest extends ClientTestSupport {

    @Test
    void theSocketBindsTheConfiguredSourceAddress() throws Exception {
        MqttClient client = client(options().localAddress(new InetSocketAddress("127.0.0.2", 0)));
        ScriptedBroker.Connection c = connect(client, false);
        InetSocketAddress seenByBroker = (InetSocketAddress) c.channel.remoteAddress();
        assertThat(seenByBroker.getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        client.disconnect().block(WAIT);
    }

    @Test
    void withoutASourceAddressTheSystemChooses() throws Exception {
        MqttClient client = client(options());
        assertThat(options().build().localAddress()).isNull();
        ScriptedBroker.Connection c = connect(client, false);
        assertThat(((InetSocketAddress) c.channel.remoteAddress()).getAddress().isLoopbackAddress())
                .isTrue();
        client.disconnect().block(WAIT);
    }
}
