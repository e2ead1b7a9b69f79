package io.thingflux.interop.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.iot20180120.Client;
import com.aliyun.iot20180120.models.GetDeviceStatusRequest;
import com.aliyun.iot20180120.models.QueryDevicePropertyDataRequest;
import com.aliyun.iot20180120.models.QueryDevicePropertyDataResponseBody;
import com.aliyun.iot20180120.models.RegisterDeviceRequest;
import com.aliyun.iot20180120.models.RegisterDeviceResponseBody;
import com.aliyun.iot20180120.models.SetDevicePropertyRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.ThingMessage;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backend written with Aliyun's official Java OpenAPI SDK ({@code com.aliyun:iot20180120} and its
 * Tea runtime, endpoint and protocol http pointed at the emulator) drives a thingflux device:
 * registers it, sees it online, sets a property the device receives, reads the property history;
 * with the SDK's default V3 signature and with signature version 1.0 ({@code "v2"} in the SDK's
 * words). A wrong secret is refused with {@code SignatureDoesNotMatch}.
 */
class JavaOpenApiSdkIT {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String PK = "a1JavaSdk";
    static final String AK = "LTAI5tJavaBackend";
    static final String AK_SECRET = "javaBackendSecret";

    static AliyunPlatformEmulator emulator;
    static MqttClientResources resources;

    @BeforeAll
    static void start() {
        emulator =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .port(0)
                                .adminPort(0)
                                .accessKey(AK, AK_SECRET)
                                .build());
        resources = MqttClientResources.create(1);
    }

    @AfterAll
    static void stop() {
        resources.disposeLater().block(TIMEOUT);
        emulator.close();
    }

    static Client client(String secret, String signatureAlgorithm) throws Exception {
        Config config =
                new Config()
                        .setAccessKeyId(AK)
                        .setAccessKeySecret(secret)
                        .setEndpoint("127.0.0.1:" + emulator.adminAddress().orElseThrow().getPort())
                        .setProtocol("http")
                        .setRegionId("cn-shanghai");
        if (signatureAlgorithm != null) {
            config.setSignatureAlgorithm(signatureAlgorithm);
        }
        return new Client(config);
    }

    @ParameterizedTest(name = "signature {0}")
    @ValueSource(strings = {"V3", "v2"})
    void theJavaSdkDrivesAThingfluxDevice(String signature) throws Exception {
        Client iot = client(AK_SECRET, signature.equals("v2") ? "v2" : null);
        String dn = "java-" + signature;
        RegisterDeviceResponseBody.RegisterDeviceResponseBodyData registered =
                iot.registerDevice(new RegisterDeviceRequest().setProductKey(PK).setDeviceName(dn))
                        .getBody()
                        .getData();
        AliyunDeviceIdentity identity =
                new AliyunDeviceIdentity(PK, dn, registered.getDeviceSecret());
        MqttClientOptions options =
                MqttClientOptions.builder("127.0.0.1", emulator.mqttAddress().getPort())
                        .aliyun(identity, AliyunSigner.builder().build())
                        .build();
        AliyunDevice device =
                AliyunDevice.create(NettyMqttLink.create(options, resources), identity);
        device.connect().block(TIMEOUT);
        try {
            assertThat(
                            iot.getDeviceStatus(
                                            new GetDeviceStatusRequest()
                                                    .setIotId(registered.getIotId()))
                                    .getBody()
                                    .getData()
                                    .getStatus())
                    .isEqualTo("ONLINE");

            CompletableFuture<ThingMessage.PropertySet> set =
                    device.messages().ofType(ThingMessage.PropertySet.class).next().toFuture();
            String messageId =
                    iot.setDeviceProperty(
                                    new SetDevicePropertyRequest()
                                            .setProductKey(PK)
                                            .setDeviceName(dn)
                                            .setItems("{\"Light\":1}"))
                            .getBody()
                            .getData()
                            .getMessageId();
            ThingMessage.PropertySet received = set.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(received.id()).isEqualTo(messageId);
            assertThat(received.properties()).containsEntry("Light", 1);

            device.postProperties(Map.of("Light", 1)).block(TIMEOUT);
            long now = System.currentTimeMillis();
            QueryDevicePropertyDataResponseBody history =
                    iot.queryDevicePropertyData(
                                    new QueryDevicePropertyDataRequest()
                                            .setProductKey(PK)
                                            .setDeviceName(dn)
                                            .setIdentifier("Light")
                                            .setStartTime(now - 600_000)
                                            .setEndTime(now + 600_000)
                                            .setPageSize(10)
                                            .setAsc(1))
                            .getBody();
            assertThat(history.getData().getList().getPropertyInfo())
                    .extracting(p -> p.getValue())
                    .containsExactly("1");

            Client wrong = client("not-the-secret", signature.equals("v2") ? "v2" : null);
            assertThatThrownBy(
                            () ->
                                    wrong.getDeviceStatus(
                                            new GetDeviceStatusRequest()
                                                    .setProductKey(PK)
                                                    .setDeviceName(dn)))
                    .isInstanceOfSatisfying(
                            TeaException.class,
                            e -> assertThat(e.getCode()).isEqualTo("SignatureDoesNotMatch"));
        } finally {
            device.disconnect().block(TIMEOUT);
        }
    }
}
