package io.thingflux.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.netty.client.PacketIdsExhaustedException;
import org.junit.jupiter.api.Test;

class PacketIdAllocatorTest {

    @Test
    void idsStartAtOneAndSkipThoseStillInUseAfterWrapping() {
        PacketIdAllocator ids = new PacketIdAllocator();
        Object owner = new Object();
        assertThat(ids.allocate(owner)).isEqualTo(1);
        assertThat(ids.allocate(owner)).isEqualTo(2);
        for (int i = 3; i <= PacketIdAllocator.MAX_ID; i++) {
            assertThat(ids.allocate(owner)).isEqualTo(i);
            if (i != 3) {
                ids.release(i);
            }
        }
        // 1, 2 and 3 still in use: the next id after 65535 skips them
        assertThat(ids.allocate(owner)).isEqualTo(4);
        assertThat(ids.owner(3)).isSameAs(owner);
        assertThat(ids.inUse()).isEqualTo(4);
    }

    @Test
    void allocationFailsCleanlyWhenAllIdsAreInUseAndRecoversAfterARelease() {
        PacketIdAllocator ids = new PacketIdAllocator();
        for (int i = 0; i < PacketIdAllocator.MAX_ID; i++) {
            ids.allocate("x");
        }
        assertThatThrownBy(() -> ids.allocate("y")).isInstanceOf(PacketIdsExhaustedException.class);
        assertThat(ids.inUse()).isEqualTo(PacketIdAllocator.MAX_ID);
        assertThat(ids.release(777)).isEqualTo("x");
        assertThat(ids.allocate("z")).isEqualTo(777);
        assertThat(ids.owner(777)).isEqualTo("z");
    }

    @Test
    void releasingAFreeIdReturnsNull() {
        PacketIdAllocator ids = new PacketIdAllocator();
        assertThat(ids.release(5)).isNull();
        assertThat(ids.owner(5)).isNull();
    }
}
