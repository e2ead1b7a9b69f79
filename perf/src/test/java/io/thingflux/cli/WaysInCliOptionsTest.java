package io.thingflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.bench.BenchOptions;
import io.thingflux.bench.LoadClientConfig;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttProxyOptions;
import io.thingflux.netty.client.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The ways-in options of the CLI: --ws, --proxy, --cert/--key, --trust-root, and bench
 * --ws/--proxy.
 */
class WaysInCliOptionsTest {

    private static final String[] TRIPLE = {
        "--product-key", "a1Product", "--device-name", "dev1", "--device-secret", "s3cr3t"
    };

    private static MqttClientOptions device(String... args) {
        DeviceCommand c = new DeviceCommand();
        new CommandLine(c).parseArgs(concat(TRIPLE, args));
        return c.clientOptions(c.console.identity());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void webSocketProxyAndNamedRootsBecomeClientOptions() {
        MqttClientOptions o =
                device(
                        "--host",
                        "broker.example",
                        "--port",
                        "443",
                        "--ws",
                        "--ws-path",
                        "/mqtt/ws",
                        "--trust-root",
                        "GLOBALSIGN_ROOT_CA_R1",
                        "--trust-root",
                        "ALIYUN_IOT_ROOT_CA_2053",
                        "--proxy",
                        "http://u:pw@proxy.example:3128");
        assertThat(o.webSocket().path()).isEqualTo("/mqtt/ws");
        assertThat(o.tls()).isNotNull();
        assertThat(o.proxy().type()).isEqualTo(MqttProxyOptions.Type.HTTP);
        assertThat(o.proxy().password()).isEqualTo("pw");
        assertThat(o.toString()).doesNotContain("pw@");
        assertThat(device("--host", "h").webSocket()).isNull();
        assertThat(device("--host", "h").proxy()).isNull();
        assertThat(TrustRoot.valueOf("ALIYUN_IOT_ROOT_CA_2053")).isNotNull();
    }

    @Test
    void aClientCertificateComesFromPemOrPkcs12(@TempDir Path dir) throws Exception {
        io.thingflux.emulator.platform.internal.SelfSignedTls self =
                io.thingflux.emulator.platform.internal.SelfSignedTls.generate("dev1");
        Path cert = dir.resolve("dev.pem");
        Path key = dir.resolve("dev.key");
        self.writePem(cert, key);
        MqttClientOptions o =
                device("--host", "h", "--cert", cert.toString(), "--key", key.toString());
        assertThat(o.tls().hasClientCertificate()).isTrue();
        assertThatThrownBy(() -> device("--host", "h", "--cert", cert.toString()))
                .hasMessageContaining("--key");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "p12pw".toCharArray();
        ks.setKeyEntry(
                "d",
                self.privateKey(),
                pw,
                new java.security.cert.Certificate[] {self.certificate()});
        Path p12 = dir.resolve("dev.p12");
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, pw);
        }
        assertThat(
                        device("--host", "h", "--cert", p12.toString(), "--key-password=p12pw")
                                .tls()
                                .hasClientCertificate())
                .isTrue();
    }

    @Test
    void brokerOpensWebSocketListenersAndKnowsX509Devices() {
        BrokerCommand c = new BrokerCommand();
        new CommandLine(c)
                .parseArgs(
                        "--auth", "none",
                        "--ws-port", "0",
                        "--wss-port", "0",
                        "--client-ca", "/tmp/ca.pem",
                        "--cert-device", "CN=dev 1,O=Acme=pk1/dn1",
                        "--cert-device", "ab:cd=pk1/dn2");
        var o = c.options();
        assertThat(o.wsPort()).isZero();
        assertThat(o.wssPort()).isZero();
        assertThat(o.wsPath()).isEqualTo("/mqtt");
        assertThat(o.certificateDevices())
                .containsEntry("CN=dev 1,O=Acme", "pk1/dn1")
                .containsEntry("ab:cd", "pk1/dn2");
    }

    @Test
    void ec600sTurnsOnTheModulesTlsWithANamedRoot() {
        Ec600sCommand c = new Ec600sCommand();
        new CommandLine(c)
                .parseArgs(
                        concat(
                                TRIPLE,
                                new String[] {
                                    "--serial",
                                    "/dev/ttyUSB2",
                                    "--port",
                                    "8883",
                                    "--tls-root",
                                    "ALIYUN_IOT_ROOT_CA_2053"
                                }));
        var o = c.options(c.console.identity());
        assertThat(o.tls().verifyServer()).isTrue();
        assertThat(o.tls().caCertificatePem()).isEqualTo(TrustRoot.ALIYUN_IOT_ROOT_CA_2053.pem());
        Ec600sCommand plain = new Ec600sCommand();
        new CommandLine(plain).parseArgs(concat(TRIPLE, new String[] {"--serial", "/dev/ttyUSB2"}));
        assertThat(plain.options(plain.console.identity()).tls()).isNull();
    }

    @Test
    void benchTakesWsAndProxy() {
        BenchOptions b =
                BenchOptions.builder().webSocket(true).proxy("socks5://127.0.0.1:1080").build();
        LoadClientConfig c = LoadClientConfig.of(b, "127.0.0.1", 1883);
        assertThat(c.webSocket()).isNotNull();
        assertThat(c.proxy().type()).isEqualTo(MqttProxyOptions.Type.SOCKS5);
        BenchOptions parsed = BenchOptions.builder().build();
        assertThat(LoadClientConfig.of(parsed, "h", 1).webSocket()).isNull();
    }
}
