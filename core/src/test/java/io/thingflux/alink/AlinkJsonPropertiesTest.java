package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

class AlinkJsonPropertiesTest {

    @Property
    void everyFiniteDoubleIsWrittenWithADecimalPointOrExponentAndReadsBackEqual(
            @ForAll @DoubleRange(min = -1e300, max = 1e300) double d) {
        String json = new String(AlinkJson.encodeValue(Map.of("v", d)), StandardCharsets.UTF_8);
        String number = json.substring("{\"v\":".length(), json.length() - 1);
        assertThat(number).containsAnyOf(".", "E");
        assertThat(AlinkJson.decodeObject(json.getBytes(StandardCharsets.UTF_8), "v").get("v")).isEqualTo(d);
    }

    @Property
    void everyLongReadsBackAsTheSameIntegralValue(@ForAll long l) {
        Object back = AlinkJson.decodeObject(AlinkJson.encodeValue(Map.of("v", l)), "v").get("v");
        assertThat(((Number) back).longValue()).isEqualTo(l);
        assertThat(back).isNotInstanceOf(Double.class);
    }

    @Property
    void everyStringSurvivesTheRoundTrip(@ForAll String s) {
        assertThat(AlinkJson.decodeObject(AlinkJson.encodeValue(Map.of("v", s)), "v").get("v")).isEqualTo(s);
    }
}
