package io.thingflux.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.mqtt.PingReq;
import io.thingflux.mqtt.PingResp;
import io.thingflux.mqtt.PubAck;
import io.thingflux.netty.client.MqttKeepAliveTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MqttKeepAliveHandlerTest {

    private final List<Throwable> errors = new ArrayList<>();
    private final List<Object> passedOn = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline()
                .addLast(
                        MqttKeepAliveHandler.NAME,
                        new MqttKeepAliveHandler(30, Duration.ofSeconds(5)));
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

    private static void advance(EmbeddedChannel ch, long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void sendsPingReqOnlyAfterTheKeepAliveWithoutWrites() {
        EmbeddedChannel ch = channel();
        advance(ch, 20);
        ch.writeOutbound(new PubAck(1)); // a write resets the writer-idle clock
        assertThat((Object) ch.readOutbound()).isEqualTo(new PubAck(1));
        advance(ch, 20);
        assertThat((Object) ch.readOutbound()).as("20 s after the last write").isNull();
        advance(ch, 11);
        assertThat((Object) ch.readOutbound()).isSameAs(PingReq.INSTANCE);
        ch.finishAndReleaseAll();
    }

    @Test
    void pingRespWithinTheTimeoutKeepsTheConnectionAndIsConsumed() {
        EmbeddedChannel ch = channel();
        advance(ch, 31);
        assertThat((Object) ch.readOutbound()).isSameAs(PingReq.INSTANCE);
        advance(ch, 2);
        ch.writeInbound(PingResp.INSTANCE);
        advance(ch, 10);
        assertThat(ch.isOpen()).isTrue();
        assertThat(errors).isEmpty();
        assertThat(passedOn).as("PINGRESP is consumed").isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void anyInboundPacketCountsAsLife() {
        EmbeddedChannel ch = channel();
        advance(ch, 31);
        ch.readOutbound();
        ch.writeInbound(new PubAck(2));
        advance(ch, 10);
        assertThat(ch.isOpen()).isTrue();
        assertThat(passedOn).containsExactly(new PubAck(2));
        ch.finishAndReleaseAll();
    }

    @Test
    void silenceAfterPingReqClosesTheHalfOpenConnection() {
        EmbeddedChannel ch = channel();
        advance(ch, 31);
        assertThat((Object) ch.readOutbound()).isSameAs(PingReq.INSTANCE);
        advance(ch, 4);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 2);
        assertThat(errors).singleElement().isInstanceOf(MqttKeepAliveTimeoutException.class);
        assertThat(ch.isOpen()).isFalse();
    }
}
