package io.thingflux.serial;

import io.thingflux.serial.at.ByteTransport;
import io.thingflux.serial.at.InMemoryByteTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A modem for driver tests: answers each CR-terminated command with what its rule returns (first
 * matching rule wins, later rules added with {@link #on} take precedence), "OK" when no rule
 * matches; takes counted data after a {@code > } prompt; records every command.
 */
final class ScriptedModem implements ByteTransport.Listener {

    private final InMemoryByteTransport end;
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<byte[]> data = new CopyOnWriteArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int dataRemaining = -1;
    private String afterData;

    private record Rule(String regex, Function<String, String> reply) {}

    ScriptedModem(InMemoryByteTransport end) {
        this.end = end;
        // a healthy module with the defaults of the seed session
        on("AT\\+CPIN\\?", c -> lines("+CPIN: READY", "OK"));
        on("AT\\+C(E|G)?REG\\?", c -> lines(c.substring(2, c.length() - 1) + ": 0,1", "OK"));
        on("AT\\+QICSGP=1", c -> lines("+QICSGP: 1,\"CMNET\",\"\",\"\",1", "OK"));
        on("AT\\+QIACT\\?", c -> lines("+QIACT: 1,1,1,\"10.0.0.2\"", "OK"));
        on("AT\\+QMTOPEN=0,.*", c -> lines("OK", "+QMTOPEN: 0,0"));
        on("AT\\+QMTCONN=0,.*", c -> lines("OK", "+QMTCONN: 0,0,0"));
        on("AT\\+QMTSUB=0,(\\d+),.*", c -> lines("OK", subAck(c, f -> false)));
        on("AT\\+QMTUNS=0,(\\d+),.*", c -> lines("OK", "+QMTUNS: 0," + c.split(",")[1] + ",0"));
        on("AT\\+QMTDISC=0", c -> lines("OK", "+QMTDISC: 0,0"));
        on("AT\\+QMTCLOSE=0", c -> lines("OK", "+QMTCLOSE: 0,0"));
        on(
                "AT\\+QMTPUBEX=0,\\d+,\\d,\\d,\".*\",\\d+",
                c -> {
                    String[] f = c.substring("AT+QMTPUBEX=".length()).split(",");
                    return prompt(
                            Integer.parseInt(f[f.length - 1]),
                            lines("OK", "+QMTPUBEX: 0," + f[1] + ",0"));
                });
        end.start(this);
    }

    static String lines(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append("\r\n").append(l).append("\r\n");
        }
        return sb.toString();
    }

    /**
     * The {@code +QMTSUB} result for {@code command} ({@code AT+QMTSUB=0,<id>,"<t1>",<q1>,...}):
     * each topic's requested QoS, or 128 for those {@code refuse} names.
     */
    static String subAck(String command, java.util.function.Predicate<String> refuse) {
        String[] parts = command.split("\"");
        StringBuilder sb =
                new StringBuilder("+QMTSUB: 0,").append(command.split(",")[1]).append(",0");
        for (int i = 1; i < parts.length; i += 2) {
            String qos = parts[i + 1].substring(1, 2);
            sb.append(',').append(refuse.test(parts[i]) ? "128" : qos);
        }
        return sb.toString();
    }

    /** The filters of every {@code AT+QMTSUB} so far, in order. */
    List<String> subscribedFilters() {
        List<String> filters = new ArrayList<>();
        for (String c : commands("AT\\+QMTSUB=.*")) {
            String[] parts = c.split("\"");
            for (int i = 1; i < parts.length; i += 2) {
                filters.add(parts[i]);
            }
        }
        return filters;
    }

    /**
     * Answers commands matching {@code regex} with {@code reply}; takes precedence over earlier
     * rules.
     */
    synchronized ScriptedModem on(String regex, Function<String, String> reply) {
        rules.add(0, new Rule(regex, reply));
        return this;
    }

    /** For a rule: prompt for {@code length} bytes of data, then reply {@code afterData}. */
    synchronized String prompt(int length, String afterData) {
        this.dataRemaining = length;
        this.afterData = afterData;
        return "\r\n> ";
    }

    @Override
    public void onBytes(byte[] chunk) {
        List<String> replies = new ArrayList<>();
        synchronized (this) {
            for (byte b : chunk) {
                if (dataRemaining > 0) {
                    line.write(b);
                    if (--dataRemaining == 0) {
                        data.add(line.toByteArray());
                        line.reset();
                        dataRemaining = -1;
                        replies.add(afterData);
                    }
                } else if (b == '\r') {
                    String cmd = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    commands.add(cmd);
                    replies.add(reply(cmd));
                } else if (b != '\n') {
                    line.write(b);
                }
            }
        }
        replies.forEach(this::send);
    }

    private String reply(String cmd) {
        for (Rule r : rules) {
            if (cmd.matches(r.regex)) {
                return r.reply.apply(cmd);
            }
        }
        return lines("OK");
    }

    @Override
    public void onClosed(Throwable cause) {}

    void send(String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        try {
            end.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commands matching {@code regex}. */
    List<String> commands(String regex) {
        return commands.stream().filter(c -> c.matches(regex)).toList();
    }
}
