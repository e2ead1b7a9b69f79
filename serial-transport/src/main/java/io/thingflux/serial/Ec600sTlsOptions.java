package io.thingflux.serial;

import io.thingflux.serial.internal.AtFields;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * TLS of an {@link Ec600sLink}: the module's SSL context ({@code AT+QSSLCFG}: version, cipher
 * suites, security level, CA certificate, SNI) that {@code AT+QMTCFG="ssl"} binds to the MQTT
 * client. The CA certificate is uploaded to the module's file system with {@code AT+QFUPL} and
 * checked by name and size ({@code AT+QFLST}) before it is used. Immutable; build with {@link
 * #builder()}.
 *
 * <p>With an Aliyun device and {@link Builder#signSecureMode2(boolean)} on (the default) the link
 * signs the credentials itself with securemode 2, the mode the platform requires on TLS, and sends
 * them in {@code AT+QMTCONN} instead of the module's {@code aliauth}.
 */
public final class Ec600sTlsOptions {

    /** Default SSL context id: 1. */
    public static final int DEFAULT_CONTEXT_ID = 1;

    /** Default CA file on the module: {@value}. */
    public static final String DEFAULT_CA_FILE = "UFS:thingflux_ca.pem";

    /** Default cipher suites: {@code 0xFFFF}, all the module supports. */
    public static final int ALL_CIPHER_SUITES = 0xFFFF;

    /** Largest CA file the module's UFS takes in one upload here: 16 KiB. */
    public static final int MAX_CA_BYTES = 16 * 1024;

    /** {@code AT+QSSLCFG="sslversion"} values. */
    public enum Version {
        SSL_3_0(0),
        TLS_1_0(1),
        TLS_1_1(2),
        TLS_1_2(3),
        /** Any the module supports. */
        ALL(4);

        private final int code;

        Version(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private final int contextId;
    private final Version version;
    private final int cipherSuite;
    private final boolean verifyServer;
    private final String caCertificatePem;
    private final String caFile;
    private final boolean sni;
    private final boolean signSecureMode2;

    private Ec600sTlsOptions(Builder b) {
        this.contextId = b.contextId;
        this.version = b.version;
        this.cipherSuite = b.cipherSuite;
        this.verifyServer = b.verifyServer;
        this.caCertificatePem = b.caCertificatePem;
        this.caFile = b.caFile;
        this.sni = b.sni;
        this.signSecureMode2 = b.signSecureMode2;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int contextId() {
        return contextId;
    }

    public Version version() {
        return version;
    }

    public int cipherSuite() {
        return cipherSuite;
    }

    /** Whether the module verifies the server's chain ({@code seclevel} 1) or not (0). */
    public boolean verifyServer() {
        return verifyServer;
    }

    /** The CA certificate(s) uploaded to the module, in PEM, or {@code null}. */
    public String caCertificatePem() {
        return caCertificatePem;
    }

    /** The module file the CA is uploaded to, e.g. {@value #DEFAULT_CA_FILE}. */
    public String caFile() {
        return caFile;
    }

    public boolean sni() {
        return sni;
    }

    public boolean signSecureMode2() {
        return signSecureMode2;
    }

    @Override
    public String toString() {
        return "Ec600sTlsOptions[ctx="
                + contextId
                + ", "
                + version
                + ", ciphers=0x"
                + Integer.toHexString(cipherSuite).toUpperCase(Locale.ROOT)
                + ", verifyServer="
                + verifyServer
                + (caCertificatePem != null ? ", ca=" + caFile : "")
                + ", sni="
                + sni
                + "]";
    }

    /** Builds {@link Ec600sTlsOptions}. */
    public static final class Builder {
        private int contextId = DEFAULT_CONTEXT_ID;
        private Version version = Version.TLS_1_2;
        private int cipherSuite = ALL_CIPHER_SUITES;
        private boolean verifyServer = true;
        private String caCertificatePem;
        private String caFile = DEFAULT_CA_FILE;
        private boolean sni = true;
        private boolean signSecureMode2 = true;

        private Builder() {}

        /** The module SSL context, 0–5; default {@value #DEFAULT_CONTEXT_ID}. */
        public Builder contextId(int id) {
            this.contextId = id;
            return this;
        }

        /** Default {@link Version#TLS_1_2}. */
        public Builder version(Version version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** A Quectel cipher suite code (e.g. {@code 0xC02F}); default all ({@code 0xFFFF}). */
        public Builder cipherSuite(int code) {
            this.cipherSuite = code;
            return this;
        }

        /**
         * Whether the module verifies the server's certificate chain against the CA (default true;
         * needs {@link #caCertificatePem(String)}). Off only for tests.
         */
        public Builder verifyServer(boolean verify) {
            this.verifyServer = verify;
            return this;
        }

        /** The CA certificate(s) the module trusts, PEM, uploaded at connect. */
        public Builder caCertificatePem(String pem) {
            this.caCertificatePem = pem;
            return this;
        }

        /** The module file name, {@code UFS:<name>}; default {@value #DEFAULT_CA_FILE}. */
        public Builder caFile(String name) {
            this.caFile = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Send the broker's host name as SNI (default true). */
        public Builder sni(boolean sni) {
            this.sni = sni;
            return this;
        }

        /**
         * With an Aliyun device, sign securemode 2 in the link instead of the module's {@code
         * aliauth} (default true).
         */
        public Builder signSecureMode2(boolean sign) {
            this.signSecureMode2 = sign;
            return this;
        }

        /**
         * @throws IllegalArgumentException for out-of-range values, a verifying context without a
         *     CA, or a file name that cannot go inside AT quotes
         */
        public Ec600sTlsOptions build() {
            if (contextId < 0 || contextId > 5) {
                throw new IllegalArgumentException("SSL context id must be 0..5");
            }
            if (cipherSuite < 0 || cipherSuite > 0xFFFF) {
                throw new IllegalArgumentException("cipher suite must be 0x0000..0xFFFF");
            }
            if (verifyServer && caCertificatePem == null) {
                throw new IllegalArgumentException("verifying the server needs a CA certificate");
            }
            if (caCertificatePem != null) {
                int size = caCertificatePem.getBytes(StandardCharsets.US_ASCII).length;
                if (size == 0 || size > MAX_CA_BYTES) {
                    throw new IllegalArgumentException(
                            "CA certificate must be 1.." + MAX_CA_BYTES + " bytes");
                }
            }
            if (!caFile.startsWith("UFS:") || caFile.length() > 80) {
                throw new IllegalArgumentException(
                        "CA file must be UFS:<name>, at most 80 characters");
            }
            String problem = AtFields.quotingProblem(caFile);
            if (problem != null) {
                throw new IllegalArgumentException("CA file " + problem);
            }
            return new Ec600sTlsOptions(this);
        }
    }
}
