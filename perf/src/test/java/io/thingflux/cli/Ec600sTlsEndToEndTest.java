package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.emulator.ec600s.Ec600sEmulator;
import io.thingflux.emulator.ec600s.Pty;
import io.thingflux.emulator.platform.AliyunPlatformEmulator;
import io.thingflux.emulator.platform.EmulatorOptions;
import io.thingflux.emulator.platform.ReceivedPublish;
import io.thingflux.emulator.platform.internal.SelfSignedTls;
import io.thingflux.link.LinkState;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.serial.Ec600sLink;
import io.thingflux.serial.Ec600sOptions;
import io.thingflux.serial.Ec600sTlsOptions;
import io.thingflux.serial.QmtConnException;
import io.thingflux.serial.at.JSerialCommTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over a real pseudo-terminal: the EC600S driver turns on the module's TLS (CA uploaded
 * with AT+QFUPL and checked, AT+QSSLCFG, AT+QMTCFG="ssl"), the EC600S emulator's relay does TLS to
 * the platform emulator's TLS listener verifying against the uploaded CA, and the platform checks
 * the securemode 2 signature. A wrong CA fails the handshake.
 */
class Ec600sTlsEndToEndTest {

    private static final Duration T = Duration.ofSeconds(20);
    private static final AliyunDeviceIdentity DEVICE =
            new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
    private static final String POST = "/sys/a1wFylTxYeD/co_0001/thing/event/property/post";

    @TempDir static Path dir;
    private static SelfSignedTls serverCert;
    private static AliyunPlatformEmulator platform;
    private static NettyEmulatorLinks links;
    private Ec600sEmulator module;
    private Ec600sLink link;

    @BeforeAll
    static void startPlatform() throws Exception {
        serverCert = SelfSignedTls.generate("localhost");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        serverCert.writePem(cert, key);
        platform =
                AliyunPlatformEmulator.start(
                        EmulatorOptions.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsPort(0)
                                .tlsCertificate(cert, key)
                                .device(DEVICE)
                                .build());
        links = new NettyEmulatorLinks();
    }

    @AfterAll
    static void stopPlatform() {
        links.close();
        platform.close();
    }

    @BeforeEach
    void startModule() {
        module =
                Ec600sEmulator.builder(links)
                        .broker("127.0.0.1", platform.tlsAddress().orElseThrow().getPort())
                        .build();
    }

    @AfterEach
    void stopModule() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
        module.close();
    }

    private Ec600sLink open(String caPem) throws Exception {
        Pty pty = module.attachPty(null);
        link =
                Ec600sLink.open(
                        JSerialCommTransport.open(pty.devicePath(), 115_200),
                        Ec600sOptions.builder()
                                .aliyunDevice(DEVICE)
                                .broker("127.0.0.1", 8883)
                                .clientId("clientExample_0")
                                .reconnectPolicy(io.thingflux.link.ReconnectPolicy.none())
                                .tls(Ec600sTlsOptions.builder().caCertificatePem(caPem).build())
                                .build());
        return link;
    }

    private static String pem(SelfSignedTls tls) throws Exception {
        Path c = Files.createTempFile(dir, "ca", ".pem");
        tls.writePem(c, Files.createTempFile(dir, "k", ".pem"));
        return Files.readString(c, StandardCharsets.US_ASCII);
    }

    @Test
    void theModuleConnectsOverTlsWithTheUploadedCa() throws Exception {
        String ca = pem(serverCert);
        open(ca).connect().block(T);
        assertThat(module.receivedCommands())
                .contains(
                        "AT+QFUPL=\"UFS:thingflux_ca.pem\","
                                + ca.getBytes(StandardCharsets.US_ASCII).length
                                + ",10",
                        "AT+QFLST=\"UFS:thingflux_ca.pem\"",
                        "AT+QSSLCFG=\"sslversion\",1,3",
                        "AT+QSSLCFG=\"ciphersuite\",1,0XFFFF",
                        "AT+QSSLCFG=\"seclevel\",1,1",
                        "AT+QSSLCFG=\"cacert\",1,\"UFS:thingflux_ca.pem\"",
                        "AT+QSSLCFG=\"sni\",1,1",
                        "AT+QMTCFG=\"ssl\",0,1,1");
        CompletableFuture<ReceivedPublish> received =
                platform.publishes().filter(p -> p.topic().equals(POST)).next().toFuture();
        String post =
                "{\"method\":\"thing.event.property.post\",\"id\":\"77\",\"params\":{\"PowerSwitch_1\":1},\"version\":\"1.0\"}";
        link.publish(POST, post.getBytes(StandardCharsets.UTF_8), MqttQos.AT_LEAST_ONCE).block(T);
        assertThat(
                        new String(
                                received.get(T.toSeconds(), TimeUnit.SECONDS).payload(),
                                StandardCharsets.UTF_8))
                .isEqualTo(post);
    }

    @Test
    void aWrongCaFailsTheHandshake() throws Exception {
        String wrongCa = pem(SelfSignedTls.generate("localhost"));
        assertThatThrownBy(() -> open(wrongCa).connect().block(T))
                .isInstanceOf(
                        QmtConnException
                                .class); // the relay's handshake: PKIX path validation failed
        // the module had the (wrong) CA: it was uploaded and bound, the handshake refused it
        assertThat(module.receivedCommands()).contains("AT+QMTCFG=\"ssl\",0,1,1");
    }
}
