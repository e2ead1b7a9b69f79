package io.thingflux.interop.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;

/**
 * A backend written with Aliyun's official Node OpenAPI SDK ({@code @alicloud/iot20180120},
 * endpoint and protocol http pointed at the emulator) drives a thingflux device: it registers the
 * device, the device connects with the returned secret, a property set arrives, a synchronous
 * service answers, and status and property history come back; with the SDK's default V3 signature
 * and with signature version 1.0. Skipped, with the reason, when {@code node} or {@code npm} is
 * absent or the SDK cannot be installed; the SDK is installed once into {@code
 * target/openapi-node}.
 */
class NodeOpenApiSdkIT {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path DIR = Paths.get("target", "openapi-node");
    static final String PK = "a1NodeSdk";

    static AliyunPlatformEmulator emulator;
    static MqttClientResources resources;

    @BeforeAll
    static void setUp() throws Exception {
        String node = run(List.of("node", "--version"), Paths.get("."), 10);
        Assumptions.assumeTrue(node != null, "node is not on the PATH (.ci/run installs it)");
        String npm = run(List.of("npm", "--version"), Paths.get("."), 10);
        Assumptions.assumeTrue(npm != null, "npm is not on the PATH (.ci/run installs it)");
        Files.createDirectories(DIR);
        byte[] packageJson = resource("package.json");
        Path installed = DIR.resolve("node_modules/@alicloud/iot20180120/package.json");
        Path packageFile = DIR.resolve("package.json");
        boolean fresh =
                Files.exists(installed)
                        && Files.exists(packageFile)
                        && java.util.Arrays.equals(Files.readAllBytes(packageFile), packageJson);
        Files.write(packageFile, packageJson);
        Files.write(DIR.resolve("backend.js"), resource("backend.js"));
        if (!fresh) {
            String out =
                    run(
                            List.of(
                                    "npm",
                                    "install",
                                    "--no-audit",
                                    "--no-fund",
                                    "--prefer-offline"),
                            DIR,
                            240);
            Assumptions.assumeTrue(
                    out != null && Files.exists(installed),
                    "npm could not install @alicloud/iot20180120 (offline?)");
        }
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .accessKey("LTAI5tNodeBackend", "nodeBackendSecret")
                                .syncService(PK + "/Sum")
                                .build());
        resources = MqttClientResources.create(1);
    }

    @AfterAll
    static void tearDown() {
        if (resources != null) {
            resources.disposeLater().block(TIMEOUT);
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NodeOpenApiSdkIT.class.getResourceAsStream("/openapi-node/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Runs a command; its output, or {@code null} when it cannot start or fails. */
    private static String run(List<String> command, Path dir, int seconds) {
        try {
            Process p =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .start();
            CompletableFuture<String> out =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return new String(
                                            p.getInputStream().readAllBytes(),
                                            StandardCharsets.UTF_8);
                                } catch (IOException e) {
                                    return "";
                                }
                            });
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = out.get(5, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                System.err.println(String.join(" ", command) + " failed:\n" + text);
                return null;
            }
            return text;
        } catch (IOException e) {
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "signature {0}")
    @ValueSource(strings = {"V3", "v2"})
    void theNodeSdkDrivesAThingfluxDevice(String signature) throws Exception {
        String dn = "node-" + signature;
        List<String> command = new ArrayList<>(List.of("node", "backend.js"));
        command.addAll(
                List.of(
                        "127.0.0.1:" + emulator.adminAddress().orElseThrow().getPort(),
                        "LTAI5tNodeBackend",
                        "nodeBackendSecret",
                        PK,
                        dn));
        if (signature.equals("v2")) {
            command.add("v2");
        }
        Process backend =
                new ProcessBuilder(command)
                        .directory(DIR.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        AliyunDevice device = null;
        Disposable services = null;
        try (BufferedReader out =
                        new BufferedReader(
                                new InputStreamReader(
                                        backend.getInputStream(), StandardCharsets.UTF_8));
                Writer in =
                        new OutputStreamWriter(backend.getOutputStream(), StandardCharsets.UTF_8)) {
            JsonNode registered = step(out, "registered");
            AliyunDeviceIdentity identity =
                    new AliyunDeviceIdentity(PK, dn, registered.get("secret").asText());
            MqttClientOptions options =
                    MqttClientOptions.builder("127.0.0.1", emulator.mqttAddress().getPort())
                            .aliyun(identity, AliyunSigner.builder().build())
                            .build();
            AliyunDevice d =
                    AliyunDevice.create(NettyMqttLink.create(options, resources), identity);
            device = d;
            d.connect().block(TIMEOUT);
            CompletableFuture<ThingMessage.PropertySet> set =
                    d.messages().ofType(ThingMessage.PropertySet.class).next().toFuture();
            services =
                    d.messages()
                            .ofType(ThingMessage.ServiceCall.class)
                            .flatMap(call -> d.reply(call, 200, Map.of("sum", 3)))
                            .subscribe();
            line(in, "connected");

            String messageId = step(out, "set").get("messageId").asText();
            ThingMessage.PropertySet received = set.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(received.id()).isEqualTo(messageId);
            assertThat(received.properties()).containsEntry("Light", 1);
            d.reply(received, 200, Map.of()).block(TIMEOUT);
            d.postProperties(Map.of("Light", 1)).block(TIMEOUT);
            d.postProperties(Map.of("Light", 2)).block(TIMEOUT);
            line(in, "reported");

            JsonNode queried = step(out, "queried");
            assertThat(JSON.readTree(queried.get("result").asText()).get("sum").asInt())
                    .isEqualTo(3);
            assertThat(queried.get("latest").toString()).isEqualTo("[\"Light=2\"]");
            assertThat(queried.get("history").toString()).isEqualTo("[\"1\",\"2\"]");
            assertThat(step(out, "done").get("refused").asText())
                    .isEqualTo("SignatureDoesNotMatch");
            assertThat(backend.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(backend.exitValue()).isZero();
        } finally {
            if (services != null) {
                services.dispose();
            }
            if (device != null) {
                device.disconnect().block(TIMEOUT);
            }
            backend.destroyForcibly();
        }
    }

    /** The backend's next line, which must be {@code step}. */
    private static JsonNode step(BufferedReader out, String step) throws Exception {
        String line =
                CompletableFuture.supplyAsync(
                                () -> {
                                    try {
                                        return out.readLine();
                                    } catch (IOException e) {
                                        throw new IllegalStateException(e);
                                    }
                                })
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(line).as("the backend's output").isNotNull();
        JsonNode node = JSON.readTree(line);
        assertThat(node.get("step").asText()).as(line).isEqualTo(step);
        return node;
    }

    private static void line(Writer in, String word) throws IOException {
        in.write(word + "\n");
        in.flush();
    }
}
