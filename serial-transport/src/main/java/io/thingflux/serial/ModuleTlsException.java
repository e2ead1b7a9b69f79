package io.thingflux.serial;

/**
 * Setting up the module's TLS failed at one step: uploading or checking the CA certificate, one
 * {@code AT+QSSLCFG} setting, or binding the SSL context to the MQTT client.
 */
public final class ModuleTlsException extends RuntimeException {

    /** The step that failed. */
    public enum Step {
        /** {@code AT+QFUPL}: the upload was refused or the module stored another size/checksum. */
        UPLOAD_CA,
        /** {@code AT+QFLST}: the uploaded file is missing or has another size. */
        CHECK_CA,
        /** {@code AT+QSSLCFG="sslversion"}. */
        SSL_VERSION,
        /** {@code AT+QSSLCFG="ciphersuite"}. */
        CIPHER_SUITE,
        /** {@code AT+QSSLCFG="seclevel"}. */
        SECURITY_LEVEL,
        /** {@code AT+QSSLCFG="cacert"}. */
        CA_CERTIFICATE,
        /** {@code AT+QSSLCFG="sni"}. */
        SNI,
        /** {@code AT+QMTCFG="ssl"}. */
        BIND
    }

    private final Step step;

    public ModuleTlsException(Step step, String message, Throwable cause) {
        super("module TLS setup failed at " + step + ": " + message, cause);
        this.step = step;
    }

    public Step step() {
        return step;
    }
}
