package io.thingflux.emulator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunProducts;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.aliyun.SignMethod;
import io.thingflux.emulator.platform.internal.SelfSignedTls;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A third-party client (HiveMQ MQTT Client 1.4.2) against the emulator, over TCP and TLS. */
class HiveMqClientAgainstEmulatorTest {

    static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");

    private AliyunPlatformEmulator emulator;

    @BeforeEach
    void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .tlsPort(0)
                                .device(DEVICE)
                                .product("a1Bench", "bench-product-secret")
                                .build());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private Mqtt3BlockingClient client(MqttCredentials c, boolean tls) {
        var builder =
                MqttClient.builder()
                        .useMqttVersion3()
                        .identifier(c.clientId())
                        .serverHost("127.0.0.1");
        if (tls) {
            return builder.serverPort(emulator.tlsAddress().orElseThrow().getPort())
                    .sslConfig()
                    .trustManagerFactory(InsecureTrustManagerFactory.INSTANCE)
                    .hostnameVerifier((host, session) -> true)
                    .applySslConfig()
                    .buildBlocking();
        }
        return builder.serverPort(emulator.mqttAddress().getPort()).buildBlocking();
    }

    private static void connect(Mqtt3BlockingClient client, MqttCredentials c) {
        client.connectWith()
                .keepAlive(60)
                .simpleAuth()
                .username(c.username())
                .password(c.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
    }

    @Test
    void aCorrectlySignedClientConnectsSubscribesAndPublishes() throws Exception {
        MqttCredentials c =
                AliyunSigner.builder()
                        .method(SignMethod.HMACSHA1)
                        .timestamp(2524608000000L)
                        .build()
                        .sign(DEVICE);
        Mqtt3BlockingClient client = client(c, false);
        connect(client, c);
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes =
                client.publishes(MqttGlobalPublishFilter.ALL)) {
            var subAck =
                    client.subscribeWith()
                            .topicFilter("/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply")
                            .qos(MqttQos.AT_MOST_ONCE)
                            .send();
            assertThat(subAck.getReturnCodes())
                    .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
            client.publishWith()
                    .topic("/sys/a1wFylTxYeD/co_0001/thing/event/property/post")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(
                            "{\"id\":\"42\",\"version\":\"1.0\",\"params\":{\"Power\":1}}"
                                    .getBytes(StandardCharsets.UTF_8))
                    .send();
            Optional<Mqtt3Publish> reply = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(reply).isPresent();
            assertThat(new String(reply.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .contains("\"id\":\"42\"")
                    .contains("\"code\":200");
            assertThat(reply.get().getQos())
                    .isEqualTo(MqttQos.AT_LEAST_ONCE); // the QoS of the request
        } finally {
            client.disconnect();
        }
        assertThat(emulator.properties("a1wFylTxYeD", "co_0001").get("Power").valueJson())
                .isEqualTo("1");
    }

    @Test
    void aWronglySignedClientIsRefusedWithBadUserNameOrPassword() {
        MqttCredentials good = AliyunSigner.defaults().sign(DEVICE);
        MqttCredentials wrong =
                new MqttCredentials(good.clientId(), good.username(), "0".repeat(64));
        Mqtt3BlockingClient client = client(wrong, false);
        assertThatThrownBy(() -> connect(client, wrong))
                .isInstanceOfSatisfying(
                        Mqtt3ConnAckException.class,
                        e ->
                                assertThat(e.getMqttMessage().getReturnCode())
                                        .isEqualTo(
                                                Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
    }

    @Test
    void aDeviceOfAConfiguredProductConnectsOverTlsWithSecureMode2() {
        AliyunDeviceIdentity device =
                AliyunProducts.deriveDevice("a1Bench", "bench-product-secret", "sensor-17");
        MqttCredentials c =
                AliyunSigner.builder()
                        .secureMode(AliyunSigner.SECURE_MODE_TLS)
                        .build()
                        .sign(device);
        Mqtt3BlockingClient client = client(c, true);
        connect(client, c);
        assertThat(emulator.deviceStatus("a1Bench", "sensor-17")).isEqualTo(DeviceStatus.ONLINE);
        client.disconnect();
    }

    @Test
    void secureMode3OnTheTlsListenerIsRefusedWithIdentifierRejected() {
        MqttCredentials c = AliyunSigner.defaults().sign(DEVICE); // securemode=3
        Mqtt3BlockingClient client = client(c, true);
        assertThatThrownBy(() -> connect(client, c))
                .isInstanceOfSatisfying(
                        Mqtt3ConnAckException.class,
                        e ->
                                assertThat(e.getMqttMessage().getReturnCode())
                                        .isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED));
    }

    @Test
    void theTlsListenerServesAGivenPemCertificateAndKey() throws Exception {
        SelfSignedTls pem = SelfSignedTls.generate("emulator.test");
        java.nio.file.Path certFile = java.nio.file.Files.createTempFile("emulator", ".crt");
        java.nio.file.Path keyFile = java.nio.file.Files.createTempFile("emulator", ".key");
        pem.writePem(certFile, keyFile);
        try (AliyunPlatformEmulator withPem =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .tlsPort(0)
                                .tlsCertificate(certFile, keyFile)
                                .device(DEVICE)
                                .build())) {
            MqttCredentials c =
                    AliyunSigner.builder()
                            .secureMode(AliyunSigner.SECURE_MODE_TLS)
                            .build()
                            .sign(DEVICE);
            java.security.cert.X509Certificate[] served = new java.security.cert.X509Certificate[1];
            Mqtt3BlockingClient client =
                    MqttClient.builder()
                            .useMqttVersion3()
                            .identifier(c.clientId())
                            .serverHost("127.0.0.1")
                            .serverPort(withPem.tlsAddress().orElseThrow().getPort())
                            .sslConfig()
                            .trustManagerFactory(InsecureTrustManagerFactory.INSTANCE)
                            .hostnameVerifier(
                                    (host, session) -> {
                                        try {
                                            served[0] =
                                                    (java.security.cert.X509Certificate)
                                                            session.getPeerCertificates()[0];
                                        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                                            return false;
                                        }
                                        return true;
                                    })
                            .applySslConfig()
                            .buildBlocking();
            connect(client, c);
            client.disconnect();
            assertThat(served[0]).isEqualTo(pem.certificate());
        } finally {
            java.nio.file.Files.deleteIfExists(certFile);
            java.nio.file.Files.deleteIfExists(keyFile);
        }
    }
}
