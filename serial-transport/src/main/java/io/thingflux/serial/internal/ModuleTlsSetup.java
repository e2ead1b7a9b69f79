package io.thingflux.serial.internal;

import io.thingflux.serial.Ec600sTlsOptions;
import io.thingflux.serial.ModuleTlsException;
import io.thingflux.serial.ModuleTlsException.Step;
import io.thingflux.serial.at.AtChannel;
import io.thingflux.serial.at.AtCommand;
import io.thingflux.serial.at.AtCommandException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * The AT commands that turn on a module MQTT client's TLS, in order: delete and upload the CA
 * ({@code AT+QFDEL}, {@code AT+QFUPL} with the data after {@code CONNECT}, size and checksum
 * compared), check it ({@code AT+QFLST}: name and size), configure the SSL context ({@code
 * AT+QSSLCFG} sslversion, ciphersuite, seclevel, cacert, sni), and bind it ({@code
 * AT+QMTCFG="ssl",idx,1,ctx}). Each failure is a {@link ModuleTlsException} naming its step.
 */
public final class ModuleTlsSetup {

    /** Seconds the module waits for the upload's data ({@code AT+QFUPL} timeout). */
    static final int UPLOAD_TIMEOUT_SECONDS = 10;

    private ModuleTlsSetup() {}

    /** The setup of client {@code idx}'s TLS with {@code tls}. */
    public static Mono<Void> run(AtChannel at, int idx, Ec600sTlsOptions tls) {
        int ctx = tls.contextId();
        String cfg = "AT+QSSLCFG=";
        Mono<Void> ca = Mono.empty();
        if (tls.caCertificatePem() != null) {
            byte[] pem = tls.caCertificatePem().getBytes(StandardCharsets.US_ASCII);
            ca = upload(at, tls.caFile(), pem).then(check(at, tls.caFile(), pem.length));
        }
        Mono<Void> settings =
                step(
                                at,
                                Step.SSL_VERSION,
                                cfg + "\"sslversion\"," + ctx + "," + tls.version().code())
                        .then(
                                step(
                                        at,
                                        Step.CIPHER_SUITE,
                                        cfg
                                                + "\"ciphersuite\","
                                                + ctx
                                                + ",0X"
                                                + String.format("%04X", tls.cipherSuite())))
                        .then(
                                step(
                                        at,
                                        Step.SECURITY_LEVEL,
                                        cfg
                                                + "\"seclevel\","
                                                + ctx
                                                + ","
                                                + (tls.verifyServer() ? 1 : 0)));
        if (tls.caCertificatePem() != null) {
            settings =
                    settings.then(
                            step(
                                    at,
                                    Step.CA_CERTIFICATE,
                                    cfg + "\"cacert\"," + ctx + ",\"" + tls.caFile() + "\""));
        }
        settings =
                settings.then(
                                step(
                                        at,
                                        Step.SNI,
                                        cfg + "\"sni\"," + ctx + "," + (tls.sni() ? 1 : 0)))
                        .then(step(at, Step.BIND, "AT+QMTCFG=\"ssl\"," + idx + ",1," + ctx));
        return ca.then(settings);
    }

    private static Mono<Void> step(AtChannel at, Step step, String command) {
        return at.execute(AtCommand.of(command))
                .onErrorMap(
                        AtCommandException.class,
                        e -> new ModuleTlsException(step, e.getMessage(), e))
                .then();
    }

    private static Mono<Void> upload(AtChannel at, String file, byte[] pem) {
        // a file of that name is replaced: QFUPL refuses to overwrite (CME 407)
        Mono<Void> delete =
                at.execute(AtCommand.of("AT+QFDEL=\"" + file + "\""))
                        .onErrorResume(AtCommandException.class, e -> Mono.empty())
                        .then();
        AtCommand upl =
                AtCommand.builder(
                                "AT+QFUPL=\""
                                        + file
                                        + "\","
                                        + pem.length
                                        + ","
                                        + UPLOAD_TIMEOUT_SECONDS)
                        .data(pem, AtCommand.DataEnd.COUNTED)
                        .timeout(Duration.ofSeconds(UPLOAD_TIMEOUT_SECONDS + 2))
                        .build();
        return delete.then(
                at.execute(upl)
                        .onErrorMap(
                                AtCommandException.class,
                                e -> new ModuleTlsException(Step.UPLOAD_CA, e.getMessage(), e))
                        .flatMap(
                                r -> {
                                    String[] f =
                                            r.line("+QFUPL:")
                                                    .orElseThrow(
                                                            () ->
                                                                    new ModuleTlsException(
                                                                            Step.UPLOAD_CA,
                                                                            "no +QFUPL result",
                                                                            null))
                                                    .split(",");
                                    long size = Long.parseLong(f[0].strip());
                                    String sum = f.length > 1 ? f[1].strip() : null;
                                    if (size != pem.length) {
                                        return Mono.error(
                                                new ModuleTlsException(
                                                        Step.UPLOAD_CA,
                                                        "module stored "
                                                                + size
                                                                + " bytes of "
                                                                + pem.length,
                                                        null));
                                    }
                                    if (sum != null
                                            && !sum.equalsIgnoreCase(
                                                    Integer.toHexString(checksum(pem)))) {
                                        return Mono.error(
                                                new ModuleTlsException(
                                                        Step.UPLOAD_CA, "checksum mismatch", null));
                                    }
                                    return Mono.<Void>empty();
                                }));
    }

    private static Mono<Void> check(AtChannel at, String file, int size) {
        return at.execute(AtCommand.of("AT+QFLST=\"" + file + "\""))
                .onErrorMap(
                        AtCommandException.class,
                        e -> new ModuleTlsException(Step.CHECK_CA, e.getMessage(), e))
                .flatMap(
                        r -> {
                            String expected = "\"" + file + "\"," + size;
                            boolean found =
                                    r.lines().stream()
                                            .filter(l -> l.startsWith("+QFLST:"))
                                            .map(l -> l.substring(7).strip())
                                            .anyMatch(expected::equals);
                            return found
                                    ? Mono.<Void>empty()
                                    : Mono.error(
                                            new ModuleTlsException(
                                                    Step.CHECK_CA,
                                                    file + " of " + size + " bytes not listed",
                                                    null));
                        });
    }

    /**
     * Quectel's file checksum: the XOR of the data taken as big-endian 16-bit words (an odd last
     * byte is the high byte of a word).
     */
    public static int checksum(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xFF;
            int lo = i + 1 < data.length ? data[i + 1] & 0xFF : 0;
            sum ^= (hi << 8) | lo;
        }
        return sum;
    }
}
