package io.thingflux.bench.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.thingflux.mqtt.Disconnect;
import io.thingflux.mqtt.PingReq;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the bench's bare-codec connections (the thing-model floor and {@code bench pub/sub/conn}'s
 * codec client) do alike: keep alive and disconnect.
 */
public final class CodecChannels {

    private CodecChannels() {}

    /** PINGREQ every {@code keepAliveSeconds} on the channel's loop, or {@code null} for 0. */
    public static ScheduledFuture<?> startPinger(ChannelHandlerContext ctx, int keepAliveSeconds) {
        if (keepAliveSeconds <= 0) {
            return null;
        }
        return ctx.executor()
                .scheduleAtFixedRate(
                        () -> ctx.writeAndFlush(PingReq.INSTANCE),
                        keepAliveSeconds,
                        keepAliveSeconds,
                        TimeUnit.SECONDS);
    }

    /** Sends DISCONNECT and closes; completes when closed (at once without an active channel). */
    public static CompletableFuture<Void> disconnect(Channel ch) {
        if (ch == null || !ch.isActive()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        ch.writeAndFlush(Disconnect.INSTANCE).addListener(w -> ch.close());
        ch.closeFuture().addListener(c -> done.complete(null));
        return done;
    }
}
