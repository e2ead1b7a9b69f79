package io.thingflux.emulator.ec600s;

import io.thingflux.serial.internal.AtFields.Field;
import io.thingflux.serial.internal.ModuleTlsSetup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The emulated module's file system and SSL contexts: {@code AT+QFUPL} (the data after {@code
 * CONNECT}, answered with size and checksum), {@code AT+QFDEL}, {@code AT+QFLST} and {@code
 * AT+QSSLCFG} (sslversion, ciphersuite, seclevel, cacert, sni). Files are bounded: at most {@value
 * #MAX_FILE_BYTES} bytes each and {@value #MAX_TOTAL_BYTES} in all ({@code +CME ERROR: 409}
 * beyond). Used on the module thread only.
 */
final class ModuleTlsCommands {

    static final int CONTEXTS = 6;
    static final int MAX_FILE_BYTES = 16 * 1024;
    static final int MAX_TOTAL_BYTES = 64 * 1024;

    private final HostChannel line;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final SslContextSettings[] contexts = new SslContextSettings[CONTEXTS];

    /** One {@code AT+QSSLCFG} context. */
    private static final class SslContextSettings {
        int version = 4;
        int cipherSuite = 0xFFFF;
        int securityLevel;
        String caFile;
        boolean sni;
    }

    /** An upload waiting for its data. */
    record Upload(String name, int size) {}

    ModuleTlsCommands(HostChannel line) {
        this.line = line;
        reset();
    }

    /** A reboot forgets the contexts (files stay, as in flash). */
    void reset() {
        for (int i = 0; i < CONTEXTS; i++) {
            contexts[i] = new SslContextSettings();
        }
    }

    /** The TLS of SSL context {@code ctx} for a connection to {@code serverName}. */
    ModuleTls tlsFor(int ctx, String serverName) {
        SslContextSettings c = contexts[ctx];
        byte[] ca = c.caFile == null ? null : files.get(c.caFile);
        return new ModuleTls(
                c.version,
                c.cipherSuite,
                c.securityLevel,
                ca == null ? null : new String(ca, StandardCharsets.US_ASCII),
                c.sni,
                serverName);
    }

    /** {@code AT+QFUPL="name",size[,timeout]}: the upload to start, after {@code CONNECT}. */
    Upload qfupl(List<Field> p) {
        if (p.size() < 2 || !p.get(0).quoted()) {
            throw new IllegalArgumentException("QFUPL parameters");
        }
        String name = fileName(p.get(0).value());
        int size = p.get(1).asInt();
        if (files.containsKey(name)) {
            line.sendLine("+CME ERROR: 407"); // file already exists
            return null;
        }
        int used = files.values().stream().mapToInt(b -> b.length).sum();
        if (size < 1 || size > MAX_FILE_BYTES || used + size > MAX_TOTAL_BYTES) {
            line.sendLine("+CME ERROR: 409"); // no space
            return null;
        }
        line.sendLine("CONNECT");
        return new Upload(name, size);
    }

    void finishUpload(Upload u, byte[] data) {
        files.put(u.name(), data);
        line.reply(
                "+QFUPL: " + data.length + "," + Integer.toHexString(ModuleTlsSetup.checksum(data)),
                "OK");
    }

    void qfdel(List<Field> p) {
        if (p.size() != 1 || !p.get(0).quoted()) {
            throw new IllegalArgumentException("QFDEL parameters");
        }
        String name = p.get(0).value();
        if (name.equals("*")) {
            files.clear();
            line.ok();
        } else if (files.remove(fileName(name)) != null) {
            line.ok();
        } else {
            line.sendLine("+CME ERROR: 405"); // file not found
        }
    }

    void qflst(List<Field> p) {
        String pattern = p.isEmpty() ? "*" : p.get(0).value();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (pattern.equals("*") || pattern.equals("UFS:*") || e.getKey().equals(pattern)) {
                lines.add("+QFLST: \"" + e.getKey() + "\"," + e.getValue().length);
            }
        }
        lines.add("OK");
        line.reply(lines.toArray(String[]::new));
    }

    void qsslcfg(List<Field> p) {
        if (p.size() < 2 || !p.get(0).quoted()) {
            throw new IllegalArgumentException("QSSLCFG parameters");
        }
        String key = p.get(0).value().toLowerCase(Locale.ROOT);
        int ctxId = p.get(1).asInt();
        if (ctxId < 0 || ctxId >= CONTEXTS) {
            throw new IllegalArgumentException("SSL context");
        }
        SslContextSettings c = contexts[ctxId];
        List<Field> v = p.subList(2, p.size());
        String prefix = "+QSSLCFG: \"" + p.get(0).value() + "\"," + ctxId + ",";
        switch (key) {
            case "sslversion" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + c.version, "OK");
                    return;
                }
                c.version = range(v.get(0).asInt(), 0, 4, "sslversion");
            }
            case "ciphersuite" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + "0X" + String.format("%04X", c.cipherSuite), "OK");
                    return;
                }
                String hex = v.get(0).value().toUpperCase(Locale.ROOT);
                if (!hex.startsWith("0X")) {
                    throw new IllegalArgumentException("ciphersuite");
                }
                c.cipherSuite =
                        range(Integer.parseInt(hex.substring(2), 16), 0, 0xFFFF, "ciphersuite");
            }
            case "seclevel" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + c.securityLevel, "OK");
                    return;
                }
                // 2 (client certificates too) is not emulated
                c.securityLevel = range(v.get(0).asInt(), 0, 1, "seclevel");
            }
            case "cacert" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + "\"" + (c.caFile == null ? "" : c.caFile) + "\"", "OK");
                    return;
                }
                c.caFile = fileName(v.get(0).value());
            }
            case "sni" -> {
                if (v.isEmpty()) {
                    line.reply(prefix + (c.sni ? 1 : 0), "OK");
                    return;
                }
                c.sni = range(v.get(0).asInt(), 0, 1, "sni") == 1;
            }
            case "ignorelocaltime", "negotiatetime" -> {}
            default -> throw new IllegalArgumentException("unknown QSSLCFG key");
        }
        line.ok();
    }

    private static String fileName(String name) {
        if (!name.startsWith("UFS:") || name.length() <= 4 || name.length() > 80) {
            throw new IllegalArgumentException("file name");
        }
        return name;
    }

    private static int range(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what);
        }
        return value;
    }
}
