package io.thingflux.alink;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.link.testing.ScriptedMqttLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class DynamicRegistrationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<MqttCredentials> used = new ArrayList<>();

    @Test
    void registerCredentialsMatchTheDocumentedClientIdAndAKnownAnswerPassword() {
        // printf 'deviceNamedevice1productKeyal123456789random123' | openssl dgst -sha256 -hmac
        // productsecret0123
        MqttCredentials c =
                DynamicRegistration.builder("al123456789", "device1", "productsecret0123")
                        .build()
                        .credentials("123");
        assertThat(c.clientId())
                .isEqualTo(
                        "al123456789.device1|securemode=2,authType=register,random=123,signmethod=hmacsha256|");
        assertThat(c.username()).isEqualTo("device1&al123456789");
        assertThat(c.password())
                .isEqualTo("3e2e18faa48bf5b711d95a4d95c3409a3f914903203a6695a5fea13249148a0f");
    }

    @Test
    void regnwlCredentialsCarryTheInstanceIdAndSignWithTheChosenMethod() {
        // printf 'deviceNameco_0001productKeya1wFylTxYeDrandom8745' | openssl dgst -sha1 -hmac
        // ps-example-1234
        MqttCredentials c =
                DynamicRegistration.builder("a1wFylTxYeD", "co_0001", "ps-example-1234")
                        .authType(DynamicRegistration.AuthType.REGNWL)
                        .signMethod(SignMethod.HMACSHA1)
                        .clientId("sn-42")
                        .instanceId("iot-06z00abc")
                        .build()
                        .credentials("8745");
        assertThat(c.clientId())
                .isEqualTo(
                        "sn-42|securemode=2,authType=regnwl,random=8745,signmethod=hmacsha1,instanceId=iot-06z00abc|");
        assertThat(c.password()).isEqualTo("e30e1995b6d8c471a8dbdaa9aedf3edff158eb18");
    }

    @Test
    void registerReturnsTheSecretPushedOnExtRegisterWithoutSubscribingAndDisconnects() {
        ScriptedMqttLink link =
                new ScriptedMqttLink()
                        .onConnect(
                                l -> {
                                    l.deliver("/ext/other", "{}");
                                    l.deliver(
                                            AlinkTopics.EXT_REGISTER,
                                            "{\"productKey\":\"al123456789\",\"deviceName\":\"device1\",\"deviceSecret\":\"s3cr3t-value\"}");
                                });
        DynamicRegistration reg =
                DynamicRegistration.builder("al123456789", "device1", "productsecret0123")
                        .random(() -> "123")
                        .build();
        StepVerifier.create(
                        reg.register(
                                c -> {
                                    used.add(c);
                                    return link;
                                }))
                .assertNext(
                        r ->
                                assertThat(r)
                                        .isInstanceOfSatisfying(
                                                RegistrationResult.DeviceSecret.class,
                                                s -> {
                                                    assertThat(s.deviceSecret())
                                                            .isEqualTo("s3cr3t-value");
                                                    assertThat(s.identity().deviceName())
                                                            .isEqualTo("device1");
                                                    assertThat(s.toString())
                                                            .doesNotContain("s3cr3t-value");
                                                }))
                .verifyComplete();
        assertThat(used)
                .extracting(MqttCredentials::password)
                .containsExactly(
                        "3e2e18faa48bf5b711d95a4d95c3409a3f914903203a6695a5fea13249148a0f");
        assertThat(link.subscribeRequests()).isEmpty();
        assertThat(link.connectCount()).isEqualTo(1);
        assertThat(link.disconnectCount()).isEqualTo(1);
    }

    @Test
    void regnwlReturnsTheTokenPushedOnExtRegnwl() {
        ScriptedMqttLink link =
                new ScriptedMqttLink()
                        .onConnect(
                                l ->
                                        l.deliver(
                                                AlinkTopics.EXT_REGNWL,
                                                "{\"productKey\":\"pk\",\"deviceName\":\"dn\",\"clientId\":\"cid-1\",\"deviceToken\":\"tok-value\"}"));
        DynamicRegistration reg =
                DynamicRegistration.builder("pk", "dn", "ps")
                        .authType(DynamicRegistration.AuthType.REGNWL)
                        .build();
        StepVerifier.create(reg.register(c -> link))
                .assertNext(
                        r ->
                                assertThat(r)
                                        .isInstanceOfSatisfying(
                                                RegistrationResult.DeviceToken.class,
                                                t -> {
                                                    assertThat(t.deviceToken())
                                                            .isEqualTo("tok-value");
                                                    assertThat(t.clientId()).isEqualTo("cid-1");
                                                    assertThat(t.toString())
                                                            .doesNotContain("tok-value");
                                                }))
                .verifyComplete();
        assertThat(link.disconnectCount()).isEqualTo(1);
    }

    @Test
    void withoutAPushTheRegistrationTimesOutAndStillDisconnects() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ScriptedMqttLink link = new ScriptedMqttLink();
        DynamicRegistration reg =
                DynamicRegistration.builder("pk", "dn", "ps")
                        .timeout(Duration.ofSeconds(15))
                        .scheduler(vts)
                        .build();
        StepVerifier.create(reg.register(c -> link))
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(14_999)))
                .then(() -> assertThat(link.disconnectCount()).isZero())
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(1)))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(DynamicRegistrationException.class)
                                        .hasMessageContaining("15000 ms"))
                .verify(WAIT);
        assertThat(link.disconnectCount()).isEqualTo(1);
        vts.dispose();
    }

    @Test
    void aRefusedConnectionFailsWithTheLinksErrorAndDisconnects() {
        ScriptedMqttLink link =
                new ScriptedMqttLink().failConnect(new IllegalStateException("CONNACK 4"));
        StepVerifier.create(
                        DynamicRegistration.builder("pk", "dn", "ps").build().register(c -> link))
                .expectErrorMessage("CONNACK 4")
                .verify(WAIT);
        assertThat(link.disconnectCount()).isEqualTo(1);
    }

    @Test
    void aResultWithoutSecretOrTokenFailsWithItsCodeButNotItsPayload() {
        ScriptedMqttLink link =
                new ScriptedMqttLink()
                        .onConnect(
                                l ->
                                        l.deliver(
                                                AlinkTopics.EXT_REGISTER,
                                                "{\"productKey\":\"pk\",\"deviceName\":\"dn\",\"code\":6289,\"hint\":\"zzz-private\"}"));
        StepVerifier.create(
                        DynamicRegistration.builder("pk", "dn", "ps").build().register(c -> link))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(DynamicRegistrationException.class)
                                        .hasMessageContaining("6289")
                                        .hasMessageNotContaining("zzz-private"))
                .verify(WAIT);
        ScriptedMqttLink broken =
                new ScriptedMqttLink()
                        .onConnect(
                                l ->
                                        l.deliver(
                                                AlinkTopics.EXT_REGISTER,
                                                "{\"deviceSecret\":\"leaked-secret\""));
        StepVerifier.create(
                        DynamicRegistration.builder("pk", "dn", "ps").build().register(c -> broken))
                .expectErrorSatisfies(
                        e ->
                                assertThat(e)
                                        .isInstanceOf(DynamicRegistrationException.class)
                                        .hasMessageNotContaining("leaked-secret"))
                .verify(WAIT);
    }

    @Test
    void theProductSecretNeverAppearsInToString() {
        DynamicRegistration reg =
                DynamicRegistration.builder("pk", "dn", "product-secret-xyz").build();
        assertThat(reg.toString()).doesNotContain("product-secret-xyz").contains("redacted");
        assertThat(reg.credentials("1").toString()).doesNotContain(reg.credentials("1").password());
    }
}
