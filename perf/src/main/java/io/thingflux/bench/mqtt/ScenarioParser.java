package io.thingflux.bench.mqtt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.thingflux.bench.DurationConverter;
import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a scenario file (YAML, or JSON when it starts with {@code {}) and checks all of it before
 * anything connects: unknown keys, wrong types, values out of range, patterns, templates and
 * references between stages and groups each fail with a {@link ScenarioException} naming the line.
 */
public final class ScenarioParser {

    /** Default keepalive of scenario clients. */
    public static final int DEFAULT_KEEP_ALIVE_SECONDS = 60;

    /** Default publishes of one client awaiting completion. */
    public static final int DEFAULT_INFLIGHT = 16;

    /** Default time a ramp or storm waits for its connects. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);

    private static final Set<String> TOP = Set.of("name", "groups", "stages");
    private static final Set<String> GROUP =
            Set.of(
                    "name",
                    "kind",
                    "count",
                    "clientId",
                    "username",
                    "password",
                    "cleanSession",
                    "keepAlive",
                    "topic",
                    "filters",
                    "qos",
                    "retain",
                    "rate",
                    "inflight",
                    "payload",
                    "tsl");
    private static final Set<String> PAYLOAD = Set.of("fixed", "random", "template", "header");
    private static final Set<String> STAGE =
            Set.of(
                    "name",
                    "type",
                    "group",
                    "to",
                    "rate",
                    "duration",
                    "timeout",
                    "percent",
                    "count",
                    "topic",
                    "qos",
                    "payload");

    private final String source;
    private final Path dir;

    private ScenarioParser(String source, Path dir) {
        this.source = source;
        this.dir = dir;
    }

    /** A value read from the file with the line it starts on. */
    private record Node(Object value, int line) {
        @SuppressWarnings("unchecked")
        Map<String, Node> map() {
            return (Map<String, Node>) value;
        }

        @SuppressWarnings("unchecked")
        List<Node> list() {
            return (List<Node>) value;
        }
    }

    /** Reads and checks {@code file}. */
    public static Scenario read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScenarioException(file.toString(), 0, "cannot read: " + e.getMessage());
        }
        Path parent = file.toAbsolutePath().getParent();
        return new ScenarioParser(file.getFileName().toString(), parent).scenario(text);
    }

    /** Reads and checks {@code text}; {@code source} names it in messages. */
    public static Scenario parse(String source, String text) {
        return new ScenarioParser(source, Path.of("")).scenario(text);
    }

    private ScenarioException error(int line, String message) {
        return new ScenarioException(source, line, message);
    }

    private Scenario scenario(String text) {
        boolean json = text.stripLeading().startsWith("{");
        Node root;
        try (JsonParser p = (json ? new JsonFactory() : new YAMLFactory()).createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw error(1, "the file is empty");
            }
            root = node(p);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw error(
                    e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw error(0, e.getMessage());
        }
        Map<String, Node> top = object(root, "the scenario", TOP);
        String name = string(top, "name", "scenario", root.line());
        List<Scenario.Group> groups = new ArrayList<>();
        Node groupsNode = required(top, "groups", root.line());
        int base = 0;
        Set<String> names = new HashSet<>();
        for (Node g : list(groupsNode, "groups")) {
            Scenario.Group group = group(g, base);
            if (!names.add(group.name())) {
                throw error(g.line(), "a second group named '" + group.name() + "'");
            }
            base += group.count();
            groups.add(group);
        }
        if (groups.isEmpty()) {
            throw error(groupsNode.line(), "groups: at least one group is needed");
        }
        List<Scenario.Stage> stages = new ArrayList<>();
        Node stagesNode = required(top, "stages", root.line());
        for (Node s : list(stagesNode, "stages")) {
            stages.add(stage(s, groups, stages.size()));
        }
        if (stages.isEmpty()) {
            throw error(stagesNode.line(), "stages: at least one stage is needed");
        }
        if (stages.size() > BenchHeader.MAX_STAGES) {
            throw error(stagesNode.line(), "stages: at most " + BenchHeader.MAX_STAGES);
        }
        return new Scenario(name, groups, stages);
    }

    private static Node node(JsonParser p) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    Node v = node(p);
                    // a key's line is where an error about its value points
                    m.put(key, new Node(v.value(), Math.max(keyLine, 1)));
                }
                return new Node(m, line);
            }
            case START_ARRAY -> {
                List<Node> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(node(p));
                }
                return new Node(l, line);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return new Node(p.getNumberValue(), line);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Node(p.getBooleanValue(), line);
            }
            case VALUE_NULL -> {
                return new Node(null, line);
            }
            default -> {
                return new Node(p.getText(), line);
            }
        }
    }

    private Map<String, Node> object(Node n, String what, Set<String> allowed) {
        if (!(n.value() instanceof Map)) {
            throw error(n.line(), what + " must be a mapping of keys to values");
        }
        for (Map.Entry<String, Node> e : n.map().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw error(
                        e.getValue().line(),
                        "unknown key '"
                                + e.getKey()
                                + "' in "
                                + what
                                + " (known: "
                                + new java.util.TreeSet<>(allowed)
                                + ")");
            }
        }
        return n.map();
    }

    private List<Node> list(Node n, String what) {
        if (!(n.value() instanceof List)) {
            throw error(n.line(), what + " must be a list");
        }
        return n.list();
    }

    private Node required(Map<String, Node> m, String key, int line) {
        Node n = m.get(key);
        if (n == null || n.value() == null) {
            throw error(line, "'" + key + "' is missing");
        }
        return n;
    }

    private String string(Map<String, Node> m, String key, String dflt, int line) {
        Node n = m.get(key);
        if (n == null || n.value() == null) {
            if (dflt == null) {
                throw error(line, "'" + key + "' is missing");
            }
            return dflt;
        }
        if (n.value() instanceof Map || n.value() instanceof List) {
            throw error(n.line(), key + " must be text");
        }
        return String.valueOf(n.value());
    }

    private double number(Map<String, Node> m, String key, double dflt, double min, double max) {
        Node n = m.get(key);
        if (n == null || n.value() == null) {
            return dflt;
        }
        double v;
        if (n.value() instanceof Number num) {
            v = num.doubleValue();
        } else {
            try {
                v = Double.parseDouble(String.valueOf(n.value()));
            } catch (NumberFormatException e) {
                throw error(n.line(), key + " must be a number, was '" + n.value() + "'");
            }
        }
        if (!(v >= min && v <= max)) {
            throw error(
                    n.line(), key + " must be " + fmt(min) + ".." + fmt(max) + ", was " + fmt(v));
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : Double.toString(v);
    }

    private boolean bool(Map<String, Node> m, String key, boolean dflt) {
        Node n = m.get(key);
        if (n == null || n.value() == null) {
            return dflt;
        }
        if (n.value() instanceof Boolean b) {
            return b;
        }
        throw error(n.line(), key + " must be true or false, was '" + n.value() + "'");
    }

    private Duration duration(Map<String, Node> m, String key, Duration dflt) {
        Node n = m.get(key);
        if (n == null || n.value() == null) {
            if (dflt == null) {
                throw error(0, "'" + key + "' is missing");
            }
            return dflt;
        }
        try {
            return DurationConverter.parse(String.valueOf(n.value()));
        } catch (RuntimeException e) {
            throw error(n.line(), key + ": " + e.getMessage());
        }
    }

    private MqttQos qos(Map<String, Node> m) {
        Node n = m.get("qos");
        return MqttQos.valueOf((int) number(m, "qos", 0, 0, 2));
    }

    private String pattern(Node n, String key) {
        String p = String.valueOf(n.value());
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '%') {
                char c = i + 1 < p.length() ? p.charAt(i + 1) : ' ';
                if (c != 'i' && c != 's' && c != '%') {
                    throw error(
                            n.line(),
                            key
                                    + " '"
                                    + p
                                    + "': only %i (client index), %s (shard) and %% may follow %");
                }
                i++;
            }
        }
        return p;
    }

    private Scenario.Group group(Node node, int base) {
        Map<String, Node> m = object(node, "a group", GROUP);
        String name = string(m, "name", null, node.line());
        String kindText = string(m, "kind", null, node.line());
        Scenario.Kind kind;
        try {
            kind = Scenario.Kind.valueOf(kindText.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(
                    m.get("kind").line(), "kind must be pub, sub or conn, was '" + kindText + "'");
        }
        int count = (int) number(m, "count", -1, 1, 1_000_000);
        if (count < 1) {
            throw error(node.line(), "group '" + name + "': 'count' is missing");
        }
        String clientId =
                m.containsKey("clientId")
                        ? pattern(m.get("clientId"), "clientId")
                        : kind == Scenario.Kind.DEVICE ? "bench-%i" : "bench-" + name + "-%s-%i";
        String username = m.containsKey("username") ? pattern(m.get("username"), "username") : null;
        String password = m.containsKey("password") ? string(m, "password", null, 0) : null;
        List<String> topics = new ArrayList<>();
        if (kind == Scenario.Kind.PUB) {
            Node t = required(m, "topic", node.line());
            String topic = pattern(t, "topic");
            try {
                MqttTopics.requireValidName(topic.replace("%i", "0").replace("%s", "0"));
            } catch (IllegalArgumentException e) {
                throw error(t.line(), "topic: " + e.getMessage());
            }
            topics.add(topic);
        } else if (kind == Scenario.Kind.SUB) {
            Node f = required(m, "filters", node.line());
            List<Node> filters =
                    f.value() instanceof List ? f.list() : List.of(new Node(f.value(), f.line()));
            for (Node fn : filters) {
                String filter = pattern(fn, "filter");
                try {
                    MqttTopics.requireValidFilter(filter.replace("%i", "0").replace("%s", "0"));
                } catch (IllegalArgumentException e) {
                    throw error(fn.line(), "filter: " + e.getMessage());
                }
                topics.add(filter);
            }
        }
        boolean posts = kind == Scenario.Kind.PUB || kind == Scenario.Kind.DEVICE;
        double rate = number(m, "rate", posts ? 1 : 0, 0, 1_000_000);
        TslPropertyGenerator tsl = null;
        if (m.containsKey("tsl")) {
            Node t = m.get("tsl");
            if (kind != Scenario.Kind.DEVICE) {
                throw error(t.line(), "tsl is for kind: device");
            }
            try {
                tsl = TslPropertyGenerator.read(dir.resolve(String.valueOf(t.value())));
            } catch (IllegalArgumentException e) {
                throw error(t.line(), e.getMessage());
            }
        }
        if (kind == Scenario.Kind.DEVICE
                && m.containsKey("qos")
                && qos(m) == MqttQos.EXACTLY_ONCE) {
            throw error(m.get("qos").line(), "Aliyun devices use QoS 0 or 1");
        }
        PayloadSpec payload = payload(m.get("payload"));
        return new Scenario.Group(
                name,
                kind,
                count,
                clientId,
                username,
                password,
                bool(m, "cleanSession", true),
                (int) number(m, "keepAlive", DEFAULT_KEEP_ALIVE_SECONDS, 0, 65_535),
                topics,
                qos(m),
                bool(m, "retain", false),
                rate,
                (int) number(m, "inflight", DEFAULT_INFLIGHT, 1, 65_535),
                payload,
                base,
                tsl);
    }

    private PayloadSpec payload(Node n) {
        if (n == null || n.value() == null) {
            return PayloadSpec.DEFAULT;
        }
        Map<String, Node> m = object(n, "payload", PAYLOAD);
        boolean header = bool(m, "header", true);
        int kinds =
                (m.containsKey("fixed") ? 1 : 0)
                        + (m.containsKey("random") ? 1 : 0)
                        + (m.containsKey("template") ? 1 : 0);
        if (kinds != 1) {
            throw error(n.line(), "payload needs exactly one of fixed, random, template");
        }
        if (m.containsKey("template")) {
            Node t = m.get("template");
            try {
                return new PayloadSpec(
                        PayloadSpec.Kind.TEMPLATE,
                        0,
                        PayloadTemplate.parse(String.valueOf(t.value())),
                        header);
            } catch (IllegalArgumentException e) {
                throw error(t.line(), e.getMessage());
            }
        }
        String key = m.containsKey("fixed") ? "fixed" : "random";
        int size = (int) number(m, key, 0, 0, PayloadSpec.MAX_SIZE);
        return new PayloadSpec(
                key.equals("fixed") ? PayloadSpec.Kind.FIXED : PayloadSpec.Kind.RANDOM,
                size,
                null,
                header);
    }

    private Scenario.Stage stage(Node node, List<Scenario.Group> groups, int index) {
        Map<String, Node> m = object(node, "a stage", STAGE);
        String typeText = string(m, "type", null, node.line());
        Scenario.StageType type;
        try {
            type = Scenario.StageType.valueOf(typeText.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(
                    m.get("type").line(),
                    "type must be ramp, hold, churn, storm or fanout, was '" + typeText + "'");
        }
        String name =
                string(
                        m,
                        "name",
                        type.name().toLowerCase(java.util.Locale.ROOT) + "-" + (index + 1),
                        node.line());
        String groupName = m.containsKey("group") ? string(m, "group", null, node.line()) : null;
        Scenario.Group group = null;
        if (groupName != null) {
            group =
                    groups.stream()
                            .filter(g -> g.name().equals(groupName))
                            .findFirst()
                            .orElse(null);
            if (group == null) {
                throw error(m.get("group").line(), "no group named '" + groupName + "'");
            }
        } else if (type != Scenario.StageType.HOLD && type != Scenario.StageType.FANOUT) {
            throw error(node.line(), "a " + typeText + " stage needs 'group'");
        }
        int to = 0;
        double rate = 0;
        Duration duration;
        double percent = 0;
        int count = 0;
        String topic = null;
        MqttQos qos = MqttQos.AT_MOST_ONCE;
        PayloadSpec payload = PayloadSpec.DEFAULT;
        switch (type) {
            case RAMP -> {
                to = (int) number(m, "to", group.count(), 0, group.count());
                rate = number(m, "rate", 100, 0.001, 1_000_000);
                duration = duration(m, "timeout", DEFAULT_CONNECT_TIMEOUT);
            }
            case STORM -> {
                rate = number(m, "rate", 1_000_000, 0.001, 1_000_000);
                duration = duration(m, "timeout", DEFAULT_CONNECT_TIMEOUT);
            }
            case HOLD -> duration = requiredDuration(m, node);
            case CHURN -> {
                percent = number(m, "percent", -1, 0, 100);
                if (percent < 0) {
                    throw error(node.line(), "a churn stage needs 'percent'");
                }
                duration = requiredDuration(m, node);
            }
            default -> {
                boolean devices = group != null && group.kind() == Scenario.Kind.DEVICE;
                if (devices && m.containsKey("topic")) {
                    throw error(
                            m.get("topic").line(),
                            "a fanout to devices sends property sets through the admin API; drop topic");
                }
                Node t = devices ? new Node("%i", node.line()) : required(m, "topic", node.line());
                topic = devices ? null : pattern(t, "topic");
                if (devices) {
                    rate = number(m, "rate", 1, 0.001, 1_000_000);
                    count = (int) number(m, "count", group.count(), 1, 1_000_000);
                    payload = payload(m.get("payload"));
                    duration = requiredDuration(m, node);
                    break;
                }
                if (topic.contains("%s")) {
                    throw error(t.line(), "a fanout topic takes %i (subscriber index), not %s");
                }
                rate = number(m, "rate", 1, 0.001, 1_000_000);
                count = (int) number(m, "count", group == null ? 1 : group.count(), 1, 1_000_000);
                if (topic.contains("%i") && group == null) {
                    throw error(t.line(), "a fanout topic with %i needs 'group' (the subscribers)");
                }
                qos = qos(m);
                payload = payload(m.get("payload"));
                if (!payload.header()) {
                    throw error(m.get("payload").line(), "a fanout payload keeps its header");
                }
                duration = requiredDuration(m, node);
            }
        }
        return new Scenario.Stage(
                name,
                type,
                groupName,
                to,
                rate,
                duration,
                percent,
                count,
                topic,
                qos,
                payload,
                node.line());
    }

    private Duration requiredDuration(Map<String, Node> m, Node node) {
        if (!m.containsKey("duration")) {
            throw error(node.line(), "this stage needs 'duration'");
        }
        return duration(m, "duration", null);
    }
}
