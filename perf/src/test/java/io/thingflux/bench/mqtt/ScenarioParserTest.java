package io.thingflux.bench.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.mqtt.MqttQos;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScenarioParserTest {

    private static final String GOOD =
            String.join(
                    "\n",
                    "name: t",
                    "groups:",
                    "  - name: subs",
                    "    kind: sub",
                    "    count: 4",
                    "    filters: [\"a/#\"]",
                    "    qos: 1",
                    "  - name: pubs",
                    "    kind: pub",
                    "    count: 2",
                    "    topic: a/%i",
                    "    rate: 5",
                    "    payload: {template: '{\"v\":{float:1:2:1},\"s\":{seq}}'}",
                    "stages:",
                    "  - {type: ramp, group: subs, rate: 100}",
                    "  - {type: hold, duration: 2s}",
                    "");

    private static ScenarioException failure(String text) {
        try {
            ScenarioParser.parse("t.yaml", text);
        } catch (ScenarioException e) {
            return e;
        }
        throw new AssertionError("parsed: " + text);
    }

    @Test
    void aGoodScenarioReadsWithItsDefaults() {
        Scenario s = ScenarioParser.parse("t.yaml", GOOD);
        assertThat(s.groups()).hasSize(2);
        assertThat(s.group("subs").qos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(s.group("pubs").indexBase()).isEqualTo(4);
        assertThat(s.group("pubs").clientId()).isEqualTo("bench-pubs-%s-%i");
        assertThat(s.stages().get(0).to()).isEqualTo(4);
        assertThat(s.stages().get(1).name()).isEqualTo("hold-2");
    }

    @Test
    void theShippedExamplesRead() {
        for (String f :
                new String[] {"stages.yaml", "fan-out.yaml", "fan-in.yaml", "devices.yaml"}) {
            assertThat(ScenarioParser.read(Path.of("scenarios", f)).stages()).isNotEmpty();
        }
    }

    @Test
    void jsonReadsToo() {
        Scenario s =
                ScenarioParser.parse(
                        "t.json",
                        "{\"name\":\"j\",\"groups\":[{\"name\":\"c\",\"kind\":\"conn\",\"count\":2}],\n"
                                + "\"stages\":[{\"type\":\"ramp\",\"group\":\"c\"}]}");
        assertThat(s.group("c").kind()).isEqualTo(Scenario.Kind.CONN);
    }

    @Test
    void eachMistakeNamesItsLine() {
        assertThat(failure(GOOD.replace("    qos: 1", "    qos: 3")))
                .hasMessageContaining("t.yaml line 7")
                .hasMessageContaining("qos must be 0..2, was 3");
        assertThat(failure(GOOD.replace("    rate: 5", "    rates: 5")))
                .hasMessageContaining("line 12")
                .hasMessageContaining("unknown key 'rates'");
        assertThat(failure(GOOD.replace("{float:1:2:1}", "{float:2:1}")))
                .hasMessageContaining("line 13")
                .hasMessageContaining("template column 6")
                .hasMessageContaining("MIN must be <= MAX");
        assertThat(failure(GOOD.replace("{seq}", "{sequence}")))
                .hasMessageContaining("line 13")
                .hasMessageContaining("unknown placeholder {sequence}");
        assertThat(failure(GOOD.replace("group: subs, rate", "group: sub, rate")))
                .hasMessageContaining("line 15")
                .hasMessageContaining("no group named 'sub'");
        assertThat(failure(GOOD.replace("duration: 2s", "duration: 2")))
                .hasMessageContaining("line 16");
        assertThat(failure(GOOD.replace("topic: a/%i", "topic: a/%x")))
                .hasMessageContaining("line 11")
                .hasMessageContaining("%i");
        assertThat(failure(GOOD.replace("    count: 2", "    count: many")))
                .hasMessageContaining("line 10")
                .hasMessageContaining("count must be a number");
        assertThat(failure(GOOD.replace("filters: [\"a/#\"]", "filters: [\"a/#/b\"]")))
                .hasMessageContaining("line 6");
        assertThat(failure(GOOD.replace("  - {type: hold", "  - {type: hold,, ")))
                .hasMessageContaining("line 16")
                .hasMessageContaining("not valid YAML");
        assertThat(failure(GOOD.replace("type: hold", "type: pause")))
                .hasMessageContaining("line 16")
                .hasMessageContaining("type must be ramp, hold, churn, storm or fanout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{seq", "{int:1}", "{int:a:b}", "{float:1:2:99}", "{client:1}", "{x}"})
    void badTemplatesAreRefusedWithTheColumn(String bad) {
        assertThatThrownBy(() -> PayloadTemplate.parse("ab" + bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("template column 3:");
    }

    @Test
    void templatesRenderEveryPlaceholderAndKeepJsonBraces() {
        PayloadTemplate t =
                PayloadTemplate.parse(
                        "{\"s\":{seq},\"t\":{ts},\"d\":\"{device}\",\"c\":{client},\"i\":{int:5:5},\"f\":{float:1.5:1.5:1}}");
        String out =
                new String(
                        t.render(
                                new PayloadTemplate.Context(7, 1234, "dev-1", 3),
                                new SplittableRandom(1)),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("{\"s\":7,\"t\":1234,\"d\":\"dev-1\",\"c\":3,\"i\":5,\"f\":1.5}");
    }

    @Test
    void payloadsCarryTheHeaderSubscribersRead() {
        byte[] p =
                PayloadSpec.parse("fixed:100", true)
                        .make(5, 1, 42, 9, 777, "c", new SplittableRandom(1));
        assertThat(p).hasSize(100);
        assertThat(BenchHeader.present(p)).isTrue();
        assertThat(BenchHeader.qos(p)).isEqualTo(1);
        assertThat(BenchHeader.stage(p)).isEqualTo(5);
        assertThat(BenchHeader.publisher(p)).isEqualTo(42);
        assertThat(BenchHeader.seq(p)).isEqualTo(9);
        assertThat(BenchHeader.scheduledEpochMicros(p)).isEqualTo(777);
        byte[] bare =
                PayloadSpec.parse("random:10", false)
                        .make(0, 0, 0, 0, 0, "c", new SplittableRandom(1));
        assertThat(bare).hasSize(10);
        assertThat(
                        PayloadSpec.parse("template:x{seq}", true)
                                .make(0, 0, 0, 3, 0, "c", new SplittableRandom(1)))
                .hasSize(BenchHeader.LENGTH + 2);
    }

    @Test
    void sequenceWindowsTellLossLateArrivalsAndDuplicatesApart() {
        SequenceWindow w = new SequenceWindow();
        assertThat(w.accept(10)).isZero();
        assertThat(w.accept(11)).isZero();
        assertThat(w.accept(14)).isEqualTo(2);
        assertThat(w.accept(12)).isEqualTo(SequenceWindow.LATE);
        assertThat(w.accept(12)).isEqualTo(SequenceWindow.DUPLICATE);
        assertThat(w.accept(14)).isEqualTo(SequenceWindow.DUPLICATE);
        assertThat(w.accept(200)).isEqualTo(185);
        assertThat(w.accept(13)).isEqualTo(SequenceWindow.DUPLICATE);
    }

    @Test
    void tslValuesStayWithinTheirTypesRules() throws Exception {
        String tsl =
                "{\"properties\":["
                        + "{\"identifier\":\"Temp\",\"dataType\":{\"type\":\"float\",\"specs\":{\"min\":\"-10\",\"max\":\"50\",\"step\":\"0.5\"}}},"
                        + "{\"identifier\":\"Level\",\"dataType\":{\"type\":\"int\",\"specs\":{\"min\":\"1\",\"max\":\"5\",\"step\":\"2\"}}},"
                        + "{\"identifier\":\"On\",\"dataType\":{\"type\":\"bool\",\"specs\":{\"0\":\"off\",\"1\":\"on\"}}},"
                        + "{\"identifier\":\"Mode\",\"dataType\":{\"type\":\"enum\",\"specs\":{\"0\":\"a\",\"3\":\"b\"}}},"
                        + "{\"identifier\":\"Name\",\"dataType\":{\"type\":\"text\",\"specs\":{\"length\":\"4\"}}}]}";
        TslPropertyGenerator g =
                TslPropertyGenerator.of(
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(tsl));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            var v = g.next(random);
            double temp = ((Number) v.get("Temp")).doubleValue();
            assertThat(temp).isBetween(-10.0, 50.0);
            assertThat(temp * 2).isEqualTo(Math.rint(temp * 2));
            assertThat(((Number) v.get("Level")).longValue()).isIn(1L, 3L, 5L);
            assertThat(v.get("On")).isIn(0, 1);
            assertThat(v.get("Mode")).isIn(0, 3);
            assertThat(((String) v.get("Name")).length()).isBetween(1, 4);
        }
        assertThatThrownBy(
                        () ->
                                TslPropertyGenerator.of(
                                        new com.fasterxml.jackson.databind.ObjectMapper()
                                                .readTree(
                                                        "{\"properties\":[{\"identifier\":\"X\",\"dataType\":{\"type\":\"blob\"}}]}")))
                .hasMessageContaining("property X: unsupported type 'blob'");
    }
}
