package io.thingflux.emulator.ec600s;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.thingflux.netty.client.MqttTlsOptions;

/**
 * The TLS an emulated module client was configured with ({@code AT+QSSLCFG} of the SSL context
 * {@code AT+QMTCFG="ssl"} bound), which its relay to the broker really uses: {@link
 * #toTlsOptions()}.
 *
 * @param version the {@code sslversion} code (0 SSL 3.0, 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2, 4 all)
 * @param cipherSuite the {@code ciphersuite} code (not mapped: the JDK's suites are used)
 * @param securityLevel {@code seclevel}: 0 no verification, 1 the server's chain verified against
 *     the CA
 * @param caCertificatePem the content of the {@code cacert} file, or {@code null}
 * @param sni whether the server name is sent
 * @param serverName the host {@code AT+QMTOPEN} asked for (the SNI)
 */
public record ModuleTls(
        int version,
        int cipherSuite,
        int securityLevel,
        String caCertificatePem,
        boolean sni,
        String serverName) {

    /**
     * The Netty client's TLS settings for the relay: trust the uploaded CA (security level 1) or
     * anything (level 0); as the module, the chain is checked, not the host name.
     *
     * @throws IllegalStateException when level 1 has no CA file
     */
    public MqttTlsOptions toTlsOptions() {
        MqttTlsOptions.Builder b = MqttTlsOptions.builder().hostnameVerification(false);
        if (securityLevel >= 1) {
            if (caCertificatePem == null) {
                throw new IllegalStateException("seclevel 1 without a cacert file");
            }
            b.trustPem(caCertificatePem);
        } else {
            b.trustManagerFactory(InsecureTrustManagerFactory.INSTANCE);
        }
        if (sni && serverName != null) {
            b.sniHost(serverName);
        }
        switch (version) {
            case 3 -> b.protocols("TLSv1.2");
            case 2 -> b.protocols("TLSv1.1");
            case 1 -> b.protocols("TLSv1");
            default -> {}
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "ModuleTls[version="
                + version
                + ", seclevel="
                + securityLevel
                + ", ca="
                + (caCertificatePem != null)
                + ", sni="
                + (sni ? serverName : "off")
                + "]";
    }
}
