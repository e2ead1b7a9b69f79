package io.thingflux.aliyun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunSignVectors.SignCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AliyunSignerTest {

    static List<SignCase> cases() {
        return AliyunSignVectors.all();
    }

    @Test
    void theVectorFileHoldsTheFourKnownCases() {
        assertThat(cases())
                .extracting(SignCase::name)
                .containsExactly(
                        "seed-tcp-hmacsha1",
                        "timestamp-hmacsha256",
                        "timestamp-hmacmd5",
                        "timestamp-hmacsha1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void signerYieldsTheClientIdUsernameAndPasswordOfTheVector(SignCase c) {
        AliyunDeviceIdentity device =
                new AliyunDeviceIdentity(
                        c.get("productKey"), c.get("deviceName"), c.get("deviceSecret"));
        String timestamp = c.get("timestamp");
        AliyunSigner signer =
                AliyunSigner.builder()
                        .method(SignMethod.fromWireName(c.get("signmethod")))
                        .secureMode(Integer.parseInt(c.get("securemode")))
                        .clientId(c.get("clientId"))
                        .timestamp(timestamp.isEmpty() ? null : Long.valueOf(timestamp))
                        .build();

        MqttCredentials credentials = signer.sign(device);

        assertThat(credentials.clientId()).isEqualTo(c.get("mqttClientId"));
        assertThat(credentials.username()).isEqualTo(c.get("username"));
        assertThat(credentials.password()).isEqualTo(c.get("password"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void staticPasswordMatchesTheVector(SignCase c) {
        String timestamp = c.get("timestamp");
        assertThat(
                        AliyunSigner.password(
                                SignMethod.fromWireName(c.get("signmethod")),
                                c.get("deviceSecret"),
                                c.get("clientId"),
                                c.get("deviceName"),
                                c.get("productKey"),
                                timestamp.isEmpty() ? null : timestamp))
                .isEqualTo(c.get("password"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void serverSideParseOfTheSignedClientIdGivesBackItsParameters(SignCase c) {
        AliyunClientId parsed = AliyunClientId.parse(c.get("mqttClientId"));
        assertThat(parsed.clientId()).isEqualTo(c.get("clientId"));
        assertThat(parsed.param("securemode")).contains(c.get("securemode"));
        assertThat(parsed.param("signmethod")).contains(c.get("signmethod"));
        assertThat(parsed.param("timestamp").orElse("")).isEqualTo(c.get("timestamp"));
    }

    @Test
    void defaultClientIdIsProductKeyDotDeviceNameAndExtrasAreAppendedUnsigned() {
        AliyunDeviceIdentity device =
                new AliyunDeviceIdentity(
                        "a1wFylTxYeD", "co_0001", "7ab0c4b3532b5783df5fdc58a2895d7a");
        MqttCredentials plain = AliyunSigner.defaults().sign(device);
        assertThat(plain.clientId())
                .isEqualTo("a1wFylTxYeD.co_0001|securemode=3,signmethod=hmacsha256|");
        MqttCredentials withExt =
                AliyunSigner.builder().extraParam("ext", "1").build().sign(device);
        assertThat(withExt.clientId())
                .isEqualTo("a1wFylTxYeD.co_0001|securemode=3,signmethod=hmacsha256,ext=1|");
        assertThat(withExt.password()).isEqualTo(plain.password());
    }

    @Test
    void extraParametersAppearInTheOrderTheyWereGiven() {
        AliyunSigner.Builder builder = AliyunSigner.builder().clientId("c");
        String[] keys = {"ext", "_v", "instanceId", "authType", "lan", "gw", "zeta", "alpha"};
        for (String k : keys) {
            builder.extraParam(k, k.toUpperCase(java.util.Locale.ROOT));
        }
        MqttCredentials signed =
                builder.build().sign(new AliyunDeviceIdentity("pk", "dn", "secret"));
        assertThat(signed.clientId())
                .isEqualTo(
                        "c|securemode=3,signmethod=hmacsha256,ext=EXT,_v=_V,instanceId=INSTANCEID,"
                                + "authType=AUTHTYPE,lan=LAN,gw=GW,zeta=ZETA,alpha=ALPHA|");
        assertThat(AliyunClientId.parse(signed.clientId()).params().keySet())
                .containsExactly(
                        "securemode",
                        "signmethod",
                        "ext",
                        "_v",
                        "instanceId",
                        "authType",
                        "lan",
                        "gw",
                        "zeta",
                        "alpha");
    }

    @Test
    void builderRefusesValuesThatWouldBreakTheClientIdSyntax() {
        assertThatThrownBy(() -> AliyunSigner.builder().clientId("a|b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunSigner.builder().clientId("a,b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunSigner.builder().clientId("x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunSigner.builder().extraParam("k", "v=1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunSigner.builder().extraParam("timestamp", "1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AliyunSigner.builder().secureMode(1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signMethodWireNamesAreCaseInsensitive() {
        assertThat(SignMethod.fromWireName("HmacSHA1")).isSameAs(SignMethod.HMACSHA1);
        assertThatThrownBy(() -> SignMethod.fromWireName("hmacsha512"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
