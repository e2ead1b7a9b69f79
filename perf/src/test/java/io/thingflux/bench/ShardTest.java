package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void shardsCoverEveryDeviceExactlyOnce() {
        int total = 1003;
        int next = 0;
        for (int i = 0; i < 7; i++) {
            Shard s = new Shard(i, 7);
            assertThat(s.first(total)).isEqualTo(next);
            next = s.end(total);
        }
        assertThat(next).isEqualTo(total);
    }

    @Test
    void parsesIndexSlashCount() {
        assertThat(Shard.parse("2/4")).isEqualTo(new Shard(2, 4));
        assertThat(Shard.parse("0/1")).isEqualTo(Shard.WHOLE);
        assertThat(new Shard(1, 4).share(1000)).isEqualTo(250);
    }

    @Test
    void refusesMalformedOrOutOfRangeShards() {
        for (String bad : new String[] {"4/4", "-1/2", "1", "a/b", "1/0", "/2", "1/"}) {
            assertThatThrownBy(() -> Shard.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Shard.parse("x")).hasMessageContaining("write i/n");
    }
}
