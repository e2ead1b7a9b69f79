package io.thingflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationConverterTest {

    @Test
    void readsMillisecondsSecondsMinutesAndHours() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationConverter.parse(" 0s ")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "15",
                "s",
                "1.5s",
                "-1s",
                "10sec",
                "5 m",
                "1d",
                "ms500",
                "1234567890s",
                "5ns"
            })
    void refusesAnythingElseNamingTheAcceptedForms(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("500ms, 15s, 5m or 2h");
    }

    @Test
    void formatWritesWhatParseReads() {
        for (String s : new String[] {"500ms", "15s", "5m", "2h", "1500ms", "90s", "250us"}) {
            assertThat(DurationConverter.format(DurationConverter.parse(s))).isEqualTo(s);
        }
    }
}
