package io.thingflux.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionExtensionTest {

    @Test
    void leakDetectionRunsAtParanoidLevel() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void anUnreleasedBufferIsReportedAsALeak() {
        leakOneBuffer();
        // collectLeaks() also clears the record, so the extension's own check after this test
        // passes
        assertThat(NettyLeakDetectionExtension.collectLeaks())
                .anySatisfy(leak -> assertThat(leak).contains("LEAK"));
    }

    private static void leakOneBuffer() {
        ByteBuf buf = Unpooled.directBuffer(64);
        buf.writeInt(42);
        // dropped without release()
    }
}
