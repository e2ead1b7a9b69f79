package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AlinkValidationTest {

    @ParameterizedTest
    @ValueSource(strings = {"Power", "PowerSwitch_1", "_x", "a", "Z9", "block_1:Temp"})
    void identifiersThePlatformAcceptsPass(String id) {
        assertThat(AlinkValidation.requireIdentifier(id, "property")).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "has-dash",
                "has space",
                "中文",
                "a.b",
                "set",
                "value",
                "time",
                "post",
                ":x",
                "m:",
                "a:b:c"
            })
    void identifiersThePlatformRefusesFail(String id) {
        assertThatThrownBy(() -> AlinkValidation.requireIdentifier(id, "property"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("property identifier");
    }

    @Test
    void identifierLengthIsLimitedTo50AndModuleIdTo30() {
        assertThatCode(() -> AlinkValidation.requireIdentifier("a".repeat(50), "event"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> AlinkValidation.requireIdentifier("a".repeat(51), "event"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> AlinkValidation.requireIdentifier("m".repeat(30) + ":x", "event"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> AlinkValidation.requireIdentifier("m".repeat(31) + ":x", "event"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("module id");
    }

    @Test
    void atMost200PropertiesPerPost() {
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            props.put("p" + i, i);
        }
        assertThatCode(() -> AlinkValidation.requireProperties(props)).doesNotThrowAnyException();
        props.put("p200", 1);
        assertThatThrownBy(() -> AlinkValidation.requireProperties(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("200");
        assertThatThrownBy(() -> AlinkValidation.requireProperties(Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nanAndInfinityAreRefusedWhereverTheySit() {
        assertThatThrownBy(() -> AlinkValidation.requireProperties(Map.of("t", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t")
                .hasMessageContaining("NaN");
        assertThatThrownBy(
                        () ->
                                AlinkValidation.requireProperties(
                                        Map.of("t", Float.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                AlinkValidation.requireValue(
                                        Map.of("s", List.of(1.0, Double.NEGATIVE_INFINITY)), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.s[1]");
        assertThatThrownBy(() -> AlinkValidation.requireValue(TimedValue.of(Double.NaN, 1L), "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesJsonCannotCarryAreRefused() {
        assertThatThrownBy(() -> AlinkValidation.requireValue(new Object(), "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        Map<Object, Object> badKey = new HashMap<>();
        badKey.put(1, "x");
        assertThatThrownBy(() -> AlinkValidation.requireValue(badKey, "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selfReferencingValuesAreRefusedNotOverflowed() {
        Map<String, Object> loop = new HashMap<>();
        loop.put("me", loop);
        assertThatThrownBy(() -> AlinkValidation.requireValue(loop, "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper");
    }
}
