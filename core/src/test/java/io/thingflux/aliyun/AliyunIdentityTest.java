package io.thingflux.aliyun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Device identity, credentials, client id parsing and endpoint hosts. */
class AliyunIdentityTest {

    private static final String SECRET = "7ab0c4b3532b5783df5fdc58a2895d7a";

    @Test
    void deviceSecretNeverAppearsInToString() {
        AliyunDeviceIdentity device = new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", SECRET);
        assertThat(device.toString())
                .doesNotContain(SECRET)
                .contains("a1wFylTxYeD")
                .contains("co_0001")
                .contains("<redacted>");
    }

    @Test
    void credentialsPasswordNeverAppearsInToString() {
        MqttCredentials credentials =
                AliyunSigner.defaults()
                        .sign(new AliyunDeviceIdentity("a1wFylTxYeD", "co_0001", SECRET));
        assertThat(credentials.toString())
                .doesNotContain(credentials.password())
                .doesNotContain(SECRET)
                .contains(credentials.clientId())
                .contains("<redacted>");
        assertThat(AliyunSigner.defaults().toString()).doesNotContain(SECRET);
    }

    @Test
    void identityRefusesBlankOrSeparatorCharacters() {
        assertThatThrownBy(() -> new AliyunDeviceIdentity(" ", "d", "s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliyunDeviceIdentity("p/k", "d", "s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliyunDeviceIdentity("pk", "d&x", "s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliyunDeviceIdentity("pk", "d", null))
                .isInstanceOf(NullPointerException.class);
        assertThat(new AliyunDeviceIdentity("pk", "dn", "s").username()).isEqualTo("dn&pk");
    }

    @Test
    void errorMessagesOfTheIdentityNeverCarryTheSecret() {
        assertThatThrownBy(() -> new AliyunDeviceIdentity("p/k", "d", SECRET))
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void legacyAndInstanceHostsFollowThePlatformPattern() {
        assertThat(AliyunEndpoints.legacyHost("a1wFylTxYeD", "cn-shanghai"))
                .isEqualTo("a1wFylTxYeD.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assertThat(AliyunEndpoints.legacyHost("a1wFylTxYeD", "ap-southeast-1"))
                .isEqualTo("a1wFylTxYeD.iot-as-mqtt.ap-southeast-1.aliyuncs.com");
        assertThat(AliyunEndpoints.instanceHost("iot-06z00ax1o4qkfbg"))
                .isEqualTo("iot-06z00ax1o4qkfbg.mqtt.iothub.aliyuncs.com");
        assertThat(AliyunEndpoints.PORT_TCP).isEqualTo(1883);
        assertThat(AliyunEndpoints.PORT_TLS).isEqualTo(8883);
    }

    @Test
    void hostPartsThatAreNotDnsLabelsAreRefused() {
        for (String bad : List.of("", "a.b", "a/b", "a b", "evil.com#")) {
            assertThatThrownBy(() -> AliyunEndpoints.legacyHost(bad, "cn-shanghai"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> AliyunEndpoints.instanceHost(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> AliyunEndpoints.legacyHost("pk", "cn.shanghai"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aliyunHostsAreRecognisedAndLookalikesAreNot() {
        assertThat(AliyunEndpoints.isAliyunHost(AliyunEndpoints.legacyHost("pk", "cn-shanghai")))
                .isTrue();
        assertThat(AliyunEndpoints.isAliyunHost(AliyunEndpoints.instanceHost("iot-1"))).isTrue();
        assertThat(AliyunEndpoints.isAliyunHost("pk.iot-as-mqtt.cn-shanghai.aliyuncs.com."))
                .isTrue();
        assertThat(AliyunEndpoints.isAliyunHost("localhost")).isFalse();
        assertThat(AliyunEndpoints.isAliyunHost("notaliyuncs.com")).isFalse();
        assertThat(AliyunEndpoints.isAliyunHost("x.aliyuncs.com.evil.example")).isFalse();
        assertThat(AliyunEndpoints.isAliyunHost(null)).isFalse();
    }

    @Test
    void clientIdParseReadsTheIdAndTheParametersInOrder() {
        AliyunClientId id =
                AliyunClientId.parse(
                        "co_0001|securemode=3,signmethod=hmacsha1,timestamp=1700000000000|");
        assertThat(id.clientId()).isEqualTo("co_0001");
        assertThat(id.params())
                .containsExactly(
                        Map.entry("securemode", "3"),
                        Map.entry("signmethod", "hmacsha1"),
                        Map.entry("timestamp", "1700000000000"));
        assertThat(id.param("authType")).isEmpty();
    }

    @Test
    void clientIdParseToleratesTheTrailingCommaOfLinkSdk4() {
        AliyunClientId id =
                AliyunClientId.parse("pk.dn|securemode=2,signmethod=hmacsha256,_v=sdk-c-4.1.0,|");
        assertThat(id.clientId()).isEqualTo("pk.dn");
        assertThat(id.params()).containsKeys("securemode", "signmethod", "_v").hasSize(3);
    }

    @Test
    void clientIdParseRefusesMalformedSections() {
        for (String bad :
                List.of(
                        "co_0001",
                        "co_0001|",
                        "co_0001|securemode=3",
                        "co_0001|securemode=3|x|",
                        "co_0001|securemode|",
                        "co_0001|=3|")) {
            assertThatThrownBy(() -> AliyunClientId.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void parsedParametersCannotBeModified() {
        AliyunClientId id = AliyunClientId.parse("c|a=1|");
        assertThatThrownBy(() -> id.params().put("b", "2"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void derivedDeviceSecretIs32LowercaseHexAndDiffersPerDevice() {
        String a = AliyunProducts.deriveDeviceSecret("productSecret", "dev-1");
        String b = AliyunProducts.deriveDeviceSecret("productSecret", "dev-2");
        assertThat(a).matches("[0-9a-f]{32}").isNotEqualTo(b);
        assertThat(AliyunProducts.deriveDevice("pk", "productSecret", "dev-1").deviceSecret())
                .isEqualTo(a);
    }
}
