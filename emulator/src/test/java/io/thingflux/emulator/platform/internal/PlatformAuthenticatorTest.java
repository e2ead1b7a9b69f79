package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import io.thingflux.netty.testing.SeedFrames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformAuthenticatorTest {

    static final AliyunDeviceIdentity SEED =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");

    private final PlatformAuthenticator auth =
            new PlatformAuthenticator(
                    List.of(SEED),
                    Map.of("a1Product", "productSecret"),
                    Map.of("watcher", "app-password"));

    private static Connect connect(
            String clientId, String username, String password, int keepAlive) {
        return new Connect(
                Connect.MQTT_3_1_1,
                clientId,
                true,
                keepAlive,
                null,
                username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Map<String, String>> signVectors() throws IOException {
        List<Map<String, String>> cases = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(SeedFrames.vectorsDir().resolve("aliyun-sign.txt"))) {
            if (line.startsWith("case:")) {
                current = new LinkedHashMap<>();
                cases.add(current);
            }
            int colon = line.indexOf(':');
            if (current != null && colon > 0 && !line.startsWith("#")) {
                current.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return cases;
    }

    @Test
    void everySignVectorIsAcceptedOnTheListenerOfItsSecureMode() throws IOException {
        List<Map<String, String>> cases = signVectors();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(4);
        for (Map<String, String> c : cases) {
            AliyunDeviceIdentity device =
                    new AliyunDeviceIdentity(
                            c.get("productKey"), c.get("deviceName"), c.get("deviceSecret"));
            PlatformAuthenticator a =
                    new PlatformAuthenticator(List.of(device), Map.of(), Map.of());
            boolean tls = c.get("securemode").equals("2");
            Connect ok = connect(c.get("mqttClientId"), c.get("username"), c.get("password"), 300);
            assertThat(a.check(ok, tls).principal())
                    .as(c.get("case"))
                    .isEqualTo(Principal.device(device.productKey(), device.deviceName()));
            // uppercase hex, as the C SDKs send it, is accepted too
            Connect upper =
                    connect(
                            c.get("mqttClientId"),
                            c.get("username"),
                            c.get("password").toUpperCase(Locale.ROOT),
                            300);
            assertThat(a.check(upper, tls).refusal()).as(c.get("case")).isNull();
            // the other listener refuses the secure mode with 2
            assertThat(a.check(ok, !tls).refusal())
                    .isEqualTo(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
    }

    @Test
    void aWrongSignatureIsRefusedWith4() {
        String pw =
                AliyunSigner.password(
                        SignMethod.HMACSHA1, "wrong", "co_0001", "co_0001", "a1wFylTxYeD", null);
        Connect c =
                connect(
                        "co_0001|securemode=3,signmethod=hmacsha1|",
                        "co_0001&a1wFylTxYeD",
                        pw,
                        300);
        assertThat(auth.check(c, false).refusal())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
    }

    @Test
    void aSignatureOverAnotherTimestampIsRefusedWith4() {
        String pw =
                AliyunSigner.password(
                        SignMethod.HMACSHA256,
                        SEED.deviceSecret(),
                        "co_0001",
                        "co_0001",
                        "a1wFylTxYeD",
                        "1");
        Connect c =
                connect(
                        "co_0001|securemode=3,signmethod=hmacsha256,timestamp=2|",
                        "co_0001&a1wFylTxYeD",
                        pw,
                        300);
        assertThat(auth.check(c, false).refusal())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
    }

    @Test
    void malformedClientIdUnknownSignMethodAndMissingSecureModeAreRefusedWith2() {
        MqttCredentials good = AliyunSigner.defaults().sign(SEED);
        for (String clientId :
                List.of(
                        "co_0001",
                        "co_0001|securemode=3",
                        "co_0001|securemode|",
                        "co_0001|signmethod=hmacsha256|",
                        "co_0001|securemode=3,signmethod=hmacsha512|")) {
            Connect c = connect(clientId, good.username(), good.password(), 300);
            assertThat(auth.check(c, false).refusal())
                    .as(clientId)
                    .isEqualTo(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
    }

    @Test
    void keepAliveOutside30To1200IsRefusedWith2() {
        MqttCredentials good = AliyunSigner.defaults().sign(SEED);
        for (int keepAlive : new int[] {0, 29, 1201, 65_535}) {
            Connect c = connect(good.clientId(), good.username(), good.password(), keepAlive);
            assertThat(auth.check(c, false).refusal())
                    .as("%d s", keepAlive)
                    .isEqualTo(ConnectReturnCode.IDENTIFIER_REJECTED);
        }
        for (int keepAlive : new int[] {30, 1200}) {
            Connect c = connect(good.clientId(), good.username(), good.password(), keepAlive);
            assertThat(auth.check(c, false).refusal()).isNull();
        }
    }

    @Test
    void missingOrMalformedCredentialsAreRefusedWith4() {
        MqttCredentials good = AliyunSigner.defaults().sign(SEED);
        assertThat(auth.check(connect(good.clientId(), null, null, 300), false).refusal())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        for (String username : List.of("co_0001", "&a1wFylTxYeD", "co_0001&", "a&b&c")) {
            assertThat(
                            auth.check(
                                            connect(
                                                    good.clientId(),
                                                    username,
                                                    good.password(),
                                                    300),
                                            false)
                                    .refusal())
                    .as(username)
                    .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
        }
    }

    @Test
    void anyDeviceOfAConfiguredProductIsAcceptedWithItsDerivedSecret() {
        AliyunDeviceIdentity derived =
                AliyunProducts.deriveDevice("a1Product", "productSecret", "device-4711");
        MqttCredentials c = AliyunSigner.builder().method(SignMethod.HMACMD5).build().sign(derived);
        assertThat(
                        auth.check(connect(c.clientId(), c.username(), c.password(), 60), false)
                                .principal())
                .isEqualTo(Principal.device("a1Product", "device-4711"));
        assertThat(auth.knows("a1Product", "anything")).isTrue();

        MqttCredentials wrong =
                AliyunSigner.defaults()
                        .sign(
                                new AliyunDeviceIdentity(
                                        "a1Product", "device-4711", "productSecret"));
        assertThat(
                        auth.check(
                                        connect(
                                                wrong.clientId(),
                                                wrong.username(),
                                                wrong.password(),
                                                60),
                                        false)
                                .refusal())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
    }

    @Test
    void anApplicationIdentityConnectsWithAnyClientIdAndOnlyWithItsPassword() {
        assertThat(auth.check(connect("my-tool", "watcher", "app-password", 0), false).principal())
                .isEqualTo(Principal.app("my-tool"));
        assertThat(auth.check(connect("my-tool", "watcher", "nope", 0), false).refusal())
                .isEqualTo(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD);
    }
}
