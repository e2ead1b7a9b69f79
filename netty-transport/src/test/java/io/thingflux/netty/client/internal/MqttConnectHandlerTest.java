package io.thingflux.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.link.ConnectRefusedException;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.mqtt.MqttProtocolException;
import io.thingflux.mqtt.PubAck;
import io.thingflux.mqtt.Publish;
import io.thingflux.netty.client.MqttConnectTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MqttConnectHandlerTest {

    private final List<ConnAck> accepted = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<Object> passedOn = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline()
                .addLast(
                        MqttConnectHandler.NAME,
                        new MqttConnectHandler(
                                Connect.of("c1", true, 30),
                                Duration.ofSeconds(5),
                                (ctx, ack) -> accepted.add(ack)));
        ch.pipeline()
                .addLast(
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                passedOn.add(msg);
                            }

                            @Override
                            public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                errors.add(cause);
                            }
                        });
        return ch;
    }

    @Test
    void writesConnectOnActivationAndRemovesItselfOnConnAckZero() {
        EmbeddedChannel ch = channel();
        assertThat((Object) ch.readOutbound()).isEqualTo(Connect.of("c1", true, 30));
        ch.writeInbound(ConnAck.accepted(true));
        assertThat(accepted).containsExactly(ConnAck.accepted(true));
        assertThat(ch.pipeline().get(MqttConnectHandler.NAME)).isNull();
        ch.writeInbound(new PubAck(3)); // after CONNACK packets flow on
        assertThat(passedOn).containsExactly(new PubAck(3));
        ch.advanceTimeBy(10, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).as("no timeout after CONNACK").isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void refusalFailsWithTheReturnCodeAndCloses() {
        EmbeddedChannel ch = channel();
        ch.readOutbound();
        ch.writeInbound(ConnAck.refused(ConnectReturnCode.NOT_AUTHORIZED));
        assertThat(errors)
                .singleElement()
                .isInstanceOfSatisfying(
                        ConnectRefusedException.class,
                        e ->
                                assertThat(e.returnCode())
                                        .isEqualTo(ConnectReturnCode.NOT_AUTHORIZED));
        assertThat(ch.isOpen()).isFalse();
        assertThat(accepted).isEmpty();
    }

    @Test
    void noConnAckWithinTheTimeoutFailsWithConnectTimeoutAndCloses() {
        EmbeddedChannel ch = channel();
        ch.readOutbound();
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(errors).singleElement().isInstanceOf(MqttConnectTimeoutException.class);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anyOtherPacketBeforeConnAckIsAnUnexpectedPacketViolation() {
        EmbeddedChannel ch = channel();
        ch.readOutbound();
        ch.writeInbound(Publish.qos0("a", "b"));
        assertThat(errors)
                .singleElement()
                .isInstanceOfSatisfying(
                        MqttProtocolException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(MqttProtocolException.Reason.UNEXPECTED_PACKET));
        assertThat(passedOn).isEmpty();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void connAckTimeoutMustBePositiveInOptions() {
        assertThatThrownBy(
                        () ->
                                io.thingflux.netty.client.MqttClientOptions.builder("h", 1)
                                        .connAckTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
