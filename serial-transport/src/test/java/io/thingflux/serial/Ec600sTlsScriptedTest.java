package io.thingflux.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.link.LinkState;
import io.thingflux.serial.at.InMemoryByteTransport;
import io.thingflux.serial.internal.ModuleTlsSetup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The module TLS setup against a scripted modem: the command sequence and a typed error per step.
 */
class Ec600sTlsScriptedTest {

    static final Duration T = Duration.ofSeconds(15);
    static final String CA = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
    static final int CA_SIZE = CA.getBytes(StandardCharsets.US_ASCII).length;
    private ScriptedModem modem;
    private Ec600sLink link;

    private Ec600sLink link(Ec600sTlsOptions tls) {
        InMemoryByteTransport[] pair = InMemoryByteTransport.pair();
        modem = new ScriptedModem(pair[1]);
        modem.on(
                "AT\\+QFUPL=.*",
                c -> {
                    modem.prompt(
                            CA_SIZE,
                            ScriptedModem.lines(
                                    "+QFUPL: "
                                            + CA_SIZE
                                            + ","
                                            + Integer.toHexString(
                                                    ModuleTlsSetup.checksum(
                                                            CA.getBytes(
                                                                    StandardCharsets.US_ASCII))),
                                    "OK"));
                    return "\r\nCONNECT\r\n";
                });
        modem.on(
                "AT\\+QFLST=.*",
                c -> ScriptedModem.lines("+QFLST: \"UFS:thingflux_ca.pem\"," + CA_SIZE, "OK"));
        link =
                Ec600sLink.open(
                        pair[0],
                        Ec600sOptions.builder()
                                .aliyunDevice(
                                        new AliyunDeviceIdentity(
                                                "a1wFylTxYeD",
                                                "co_0001",
                                                "7ab0c4b3532b5783df5fdc58a2895d7a"))
                                .clientId("clientExample_0")
                                .reconnectPolicy(io.thingflux.link.ReconnectPolicy.none())
                                .tls(tls)
                                .build());
        return link;
    }

    @AfterEach
    void tearDown() {
        if (link != null && link.state() != LinkState.CLOSED) {
            link.disconnect().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(T);
        }
    }

    @Test
    void uploadsChecksConfiguresAndBindsThenSignsSecureMode2() {
        link(Ec600sTlsOptions.builder().caCertificatePem(CA).build()).connect().block(T);
        assertThat(modem.commands("AT\\+Q(FDEL|FUPL|FLST|SSLCFG|MTCFG=\"ssl\").*"))
                .containsExactly(
                        "AT+QFDEL=\"UFS:thingflux_ca.pem\"",
                        "AT+QFUPL=\"UFS:thingflux_ca.pem\"," + CA_SIZE + ",10",
                        "AT+QFLST=\"UFS:thingflux_ca.pem\"",
                        "AT+QSSLCFG=\"sslversion\",1,3",
                        "AT+QSSLCFG=\"ciphersuite\",1,0XFFFF",
                        "AT+QSSLCFG=\"seclevel\",1,1",
                        "AT+QSSLCFG=\"cacert\",1,\"UFS:thingflux_ca.pem\"",
                        "AT+QSSLCFG=\"sni\",1,1",
                        "AT+QMTCFG=\"ssl\",0,1,1");
        assertThat(new String(modem.data.get(0), StandardCharsets.US_ASCII)).isEqualTo(CA);
        assertThat(modem.commands("AT\\+QMTCFG=\"aliauth\".*")).isEmpty();
        assertThat(modem.commands("AT\\+QMTCONN=.*"))
                .singleElement()
                .asString()
                .contains("securemode=2", "co_0001&a1wFylTxYeD");
    }

    @Test
    void withoutVerificationNoCaIsUploaded() {
        link(Ec600sTlsOptions.builder().verifyServer(false).sni(false).contextId(2).build())
                .connect()
                .block(T);
        assertThat(modem.commands("AT\\+QF.*")).isEmpty();
        assertThat(modem.commands("AT\\+Q(SSLCFG|MTCFG=\"ssl\").*"))
                .contains(
                        "AT+QSSLCFG=\"seclevel\",2,0",
                        "AT+QSSLCFG=\"sni\",2,0",
                        "AT+QMTCFG=\"ssl\",0,1,2");
    }

    private void failsAt(ModuleTlsException.Step step) {
        assertThatThrownBy(() -> link.connect().block(T))
                .isInstanceOfSatisfying(
                        ModuleTlsException.class, e -> assertThat(e.step()).isEqualTo(step));
    }

    @Test
    void eachStepFailsWithItsOwnTypedError() {
        link(Ec600sTlsOptions.builder().caCertificatePem(CA).build());
        modem.on("AT\\+QFLST=.*", c -> ScriptedModem.lines("OK"));
        failsAt(ModuleTlsException.Step.CHECK_CA);
        tearDown();

        link(Ec600sTlsOptions.builder().caCertificatePem(CA).build());
        modem.on("AT\\+QFUPL=.*", c -> ScriptedModem.lines("+CME ERROR: 409"));
        failsAt(ModuleTlsException.Step.UPLOAD_CA);
        tearDown();

        link(Ec600sTlsOptions.builder().caCertificatePem(CA).build());
        modem.on("AT\\+QSSLCFG=\"seclevel\".*", c -> ScriptedModem.lines("ERROR"));
        failsAt(ModuleTlsException.Step.SECURITY_LEVEL);
        tearDown();

        link(Ec600sTlsOptions.builder().caCertificatePem(CA).build());
        modem.on("AT\\+QMTCFG=\"ssl\".*", c -> ScriptedModem.lines("ERROR"));
        failsAt(ModuleTlsException.Step.BIND);
    }

    @Test
    void optionsRefuseAVerifyingContextWithoutCa() {
        assertThatThrownBy(() -> Ec600sTlsOptions.builder().build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> Ec600sTlsOptions.builder().verifyServer(false).contextId(6).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                Ec600sTlsOptions.builder()
                                        .verifyServer(false)
                                        .caFile("UFS:a\"b")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
