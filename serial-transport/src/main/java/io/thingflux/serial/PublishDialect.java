package io.thingflux.serial;

/** How a module takes a publish payload after the {@code > } prompt (reference notes §3.6). */
public enum PublishDialect {
    /**
     * {@code AT+QMTPUBEX=<idx>,<msgid>,<qos>,<retain>,"<topic>",<length>}, then exactly length
     * bytes (binary-safe).
     */
    QMTPUBEX,
    /**
     * {@code AT+QMTPUB=<idx>,<msgid>,<qos>,<retain>,"<topic>"}, then the text and Ctrl+Z (no
     * 0x1A/0x1B in it).
     */
    QMTPUB
}
