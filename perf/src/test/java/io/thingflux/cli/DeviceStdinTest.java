package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.testing.ScriptedMqttLink;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How {@code device} turns stdin lines into property posts and prints their outcome, over a
 * scripted link.
 */
class DeviceStdinTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AliyunDeviceIdentity IDENTITY =
            new AliyunDeviceIdentity("pk", "dn", "s3cret");

    /**
     * Answers each post with {@code code}: 200, or 460 when the post carries the property "Refuse".
     */
    private static ScriptedMqttLink answeringLink() {
        return new ScriptedMqttLink()
                .onPublish(
                        "/sys/pk/dn/thing/event/property/post",
                        (m, link) -> {
                            Map<String, Object> post = AlinkJson.decodeObject(m.payload(), "post");
                            Map<?, ?> params = (Map<?, ?>) post.get("params");
                            int code = params.containsKey("Refuse") ? 460 : 200;
                            link.deliver(
                                    "/sys/pk/dn/thing/event/property/post_reply",
                                    "{\"id\":\""
                                            + post.get("id")
                                            + "\",\"code\":"
                                            + code
                                            + ",\"data\":{\"n\":"
                                            + params.size()
                                            + "}}");
                        });
    }

    private static List<JsonNode> run(ScriptedMqttLink link, String stdin) throws Exception {
        AliyunDevice device = AliyunDevice.create(link, IDENTITY);
        device.connect().block(Duration.ofSeconds(10));
        StringWriter text = new StringWriter();
        DeviceConsole.postStdin(
                        device,
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                        new JsonLines(new PrintWriter(text)))
                .block(Duration.ofSeconds(30));
        device.disconnect().block(Duration.ofSeconds(10));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.toString().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        lines.sort((a, b) -> Integer.compare(a.path("line").asInt(), b.path("line").asInt()));
        return lines;
    }

    @Test
    void eachObjectLineIsPostedAsPropertiesAndItsReplyPrintedWithItsLineNumber() throws Exception {
        ScriptedMqttLink link = answeringLink();

        List<JsonNode> lines =
                run(link, "{\"Temperature\":21.5,\"Power\":\"on\"}\n\n{\"Humidity\":40}\n");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).path("type").asText()).isEqualTo("reply");
        assertThat(lines.get(0).path("line").asInt()).isEqualTo(1);
        assertThat(lines.get(0).path("code").asInt()).isEqualTo(200);
        assertThat(lines.get(0).path("data").path("n").asInt()).isEqualTo(2);
        assertThat(lines.get(1).path("line").asInt())
                .isEqualTo(3); // the blank line 2 is skipped, still counted
        List<Map<String, Object>> posted =
                link.publishedTo("/sys/pk/dn/thing/event/property/post").stream()
                        .map(m -> AlinkJson.decodeObject(m.payload(), "post"))
                        .toList();
        assertThat(posted)
                .extracting(p -> p.get("params"))
                .containsExactlyInAnyOrder(
                        Map.of("Temperature", 21.5, "Power", "on"), Map.of("Humidity", 40));
    }

    @Test
    void malformedLinesGiveErrorLinesAndLaterLinesAreStillPosted() throws Exception {
        ScriptedMqttLink link = answeringLink();

        List<JsonNode> lines = run(link, "not json\n[1,2]\n{\"bad id!\":1}\n{}\n{\"Ok\":1}\n");

        assertThat(lines)
                .extracting(n -> n.path("type").asText() + "@" + n.path("line").asInt())
                .containsExactly("error@1", "error@2", "error@3", "error@4", "reply@5");
        assertThat(lines.get(0).path("error").asText()).contains("JSON");
        assertThat(lines.get(1).path("error").asText()).contains("not a JSON object");
        assertThat(link.publishedTo("/sys/pk/dn/thing/event/property/post")).hasSize(1);
    }

    @Test
    void aRefusedPostIsPrintedAsAReplyWithThePlatformsCode() throws Exception {
        List<JsonNode> lines = run(answeringLink(), "{\"Refuse\":1}\n");

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("type").asText()).isEqualTo("reply");
        assertThat(lines.get(0).path("code").asInt()).isEqualTo(460);
    }

    @Test
    void aPostWithoutAReplyEndsAsATimeoutErrorLine() throws Exception {
        ScriptedMqttLink silent = new ScriptedMqttLink();
        AliyunDevice device =
                AliyunDevice.create(
                        silent,
                        IDENTITY,
                        io.thingflux.alink.AliyunDeviceOptions.builder()
                                .replyTimeout(Duration.ofMillis(200))
                                .build());
        device.connect().block(Duration.ofSeconds(10));
        StringWriter text = new StringWriter();

        DeviceConsole.postStdin(
                        device,
                        new ByteArrayInputStream("{\"A\":1}\n".getBytes(StandardCharsets.UTF_8)),
                        new JsonLines(new PrintWriter(text)))
                .block(Duration.ofSeconds(30));

        JsonNode line = JSON.readTree(text.toString().trim());
        assertThat(line.path("type").asText()).isEqualTo("error");
        assertThat(line.path("line").asInt()).isEqualTo(1);
        assertThat(line.path("error").asText()).containsIgnoringCase("reply");
        device.disconnect().block(Duration.ofSeconds(10));
    }
}
