package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The options of the ways in: named trust roots, proxies, WebSocket; secrets never shown. */
class WaysInOptionsTest {

    private static String sha256(TrustRoot root) throws Exception {
        return HexFormat.ofDelimiter(":")
                .withUpperCase()
                .formatHex(
                        MessageDigest.getInstance("SHA-256")
                                .digest(root.certificate().getEncoded()));
    }

    @Test
    void theShippedRootsAreTheOnesThePlatformChainsTo() throws Exception {
        assertThat(sha256(TrustRoot.GLOBALSIGN_ROOT_CA_R1))
                .isEqualTo(
                        "EB:D4:10:40:E4:BB:3E:C7:42:C9:E3:81:D3:1E:F2:A4:1A:48:B6:68:5C:96:E7:CE:F3:C1:DF:6C:D4:33:1C:99");
        assertThat(sha256(TrustRoot.ALIYUN_IOT_ROOT_CA_2053))
                .isEqualTo(
                        "7C:A4:38:A3:97:6B:52:42:D2:31:F8:61:49:98:22:DA:85:58:31:38:27:35:83:6B:36:1E:7E:97:15:66:16:76");
        assertThat(
                        TrustRoot.ALIYUN_IOT_ROOT_CA_2053
                                .certificate()
                                .getSubjectX500Principal()
                                .getName())
                .contains("CN=Aliyun IoT Root CA");
        assertThat(
                        TrustRoot.ALIYUN_IOT_ROOT_CA_2053
                                .certificate()
                                .getNotAfter()
                                .toInstant()
                                .toString())
                .startsWith("2053-07-04");
        TrustRoot.ALIYUN_IOT_ROOT_CA_2053
                .certificate()
                .verify(TrustRoot.ALIYUN_IOT_ROOT_CA_2053.certificate().getPublicKey());
        assertThat(MqttTlsOptions.aliyun().sslContext()).isNotNull();
        assertThat(MqttTlsOptions.aliyun().hasClientCertificate()).isFalse();
    }

    @Test
    void proxiesParseFromAUriAndNeverShowThePassword() {
        MqttProxyOptions p = MqttProxyOptions.parse("socks5://alice:s%40cret@proxy.example:1080");
        assertThat(p.type()).isEqualTo(MqttProxyOptions.Type.SOCKS5);
        assertThat(p.host()).isEqualTo("proxy.example");
        assertThat(p.port()).isEqualTo(1080);
        assertThat(p.username()).isEqualTo("alice");
        assertThat(p.password()).isEqualTo("s@cret");
        assertThat(p.toString()).doesNotContain("s@cret").contains("<redacted>");
        MqttProxyOptions h = MqttProxyOptions.parse("http://[::1]:3128");
        assertThat(h.type()).isEqualTo(MqttProxyOptions.Type.HTTP);
        assertThat(h.host()).isEqualTo("::1");
        assertThat(h.username()).isNull();
        assertThat(h.withConnectTimeout(Duration.ofSeconds(3)).connectTimeout()).hasSeconds(3);
        assertThatThrownBy(() -> MqttProxyOptions.parse("ftp://x:1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttProxyOptions.parse("http://user:topsecret@host"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("topsecret");
        MqttClientOptions o =
                MqttClientOptions.builder("broker", 443)
                        .proxy(p)
                        .webSocket(
                                MqttWebSocketOptions.builder()
                                        .header("Authorization", "tok-123")
                                        .build())
                        .build();
        assertThat(o.toString())
                .contains("ws/mqtt", "SOCKS5 proxy")
                .doesNotContain("s@cret", "tok-123");
        assertThat(o.mutate().build().proxy()).isSameAs(p);
    }

    @Test
    void webSocketDefaultsFollowMqttSection6() {
        MqttWebSocketOptions ws = MqttWebSocketOptions.defaults();
        assertThat(ws.path()).isEqualTo("/mqtt");
        assertThat(ws.subprotocol()).isEqualTo("mqtt");
        assertThat(ws.headers()).isEmpty();
        MqttWebSocketOptions changed = ws.mutate().path("/ws").header("X-A", "1").build();
        assertThat(changed.path()).isEqualTo("/ws");
        assertThat(ws.path()).isEqualTo("/mqtt");
        assertThatThrownBy(() -> MqttWebSocketOptions.builder().path("mqtt"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadClientKeyNeverQuotesTheKey() {
        String bogusKey = "-----BEGIN PRIVATE KEY-----\nTk9UQUtFWQ==\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(
                        () ->
                                MqttTlsOptions.builder()
                                        .clientCertificatePem(
                                                TrustRoot.GLOBALSIGN_ROOT_CA_R1.pem(),
                                                bogusKey,
                                                null)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(
                        e -> {
                            for (Throwable t = e; t != null; t = t.getCause()) {
                                assertThat(String.valueOf(t.getMessage()))
                                        .doesNotContain("Tk9UQUtFWQ");
                            }
                        });
    }
}
