package io.thingflux.bench.mqtt;

import io.thingflux.mqtt.MqttQos;
import java.time.Duration;
import java.util.List;

/**
 * A multi-stage load: groups of clients and the stages that move them, read by {@link
 * ScenarioParser} (schema in perf/README.md and the examples in perf/scenarios).
 *
 * @param name shown in results
 * @param groups the clients, each group its own kind, count and settings
 * @param stages run one after the other
 */
public record Scenario(String name, List<Group> groups, List<Stage> stages) {

    public Scenario {
        groups = List.copyOf(groups);
        stages = List.copyOf(stages);
    }

    /** The group named {@code name}, or {@code null}. */
    public Group group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElse(null);
    }

    /** What a group's clients do once connected. */
    public enum Kind {
        /** Publish at the group's per-client rate. */
        PUB,
        /** Subscribe to the group's filters and count what arrives. */
        SUB,
        /** Only hold the connection. */
        CONN,
        /**
         * Aliyun thing-model devices (signed in with the product's derived secrets): post
         * properties at the group's rate, receive property sets from a fanout stage through the
         * admin API.
         */
        DEVICE
    }

    /**
     * One group of clients.
     *
     * @param name its name, referred to by stages
     * @param kind pub, sub or conn
     * @param count how many clients it has in the whole run (over all shards)
     * @param clientId the client id pattern ({@code %i} the index in the group, {@code %s} the
     *     shard)
     * @param username user name pattern, or {@code null}
     * @param password the password, or {@code null}
     * @param cleanSession the CONNECT's clean-session flag
     * @param keepAliveSeconds MQTT keepalive
     * @param topics pub: the one topic pattern each client publishes to; sub: its filter patterns
     * @param qos publish QoS (pub) or subscription QoS (sub)
     * @param retain whether publishes are retained
     * @param rate messages per second of each publisher
     * @param inflight publishes of one client awaiting completion at most; a slot beyond is an
     *     overrun
     * @param payload what publishers send
     * @param indexBase the global index of this group's first client (publisher ids in headers)
     * @param tsl device: the product TSL its posts' values come from, or {@code null} for a padded
     *     fixed-size post of the payload's size
     */
    public record Group(
            String name,
            Kind kind,
            int count,
            String clientId,
            String username,
            String password,
            boolean cleanSession,
            int keepAliveSeconds,
            List<String> topics,
            MqttQos qos,
            boolean retain,
            double rate,
            int inflight,
            PayloadSpec payload,
            int indexBase,
            TslPropertyGenerator tsl) {

        public Group {
            topics = List.copyOf(topics);
        }

        @Override
        public String toString() {
            return "Group[" + name + ", " + kind + " x" + count + "]";
        }
    }

    /** What a stage does. */
    public enum StageType {
        /** Connect a group's clients up to {@code to}, at {@code rate} per second. */
        RAMP,
        /** Hold everything as it is for {@code duration}. */
        HOLD,
        /** Each second, {@code percent} % of a group's clients disconnect and reconnect. */
        CHURN,
        /** All of a group's clients drop at once, then reconnect at {@code rate} per second. */
        STORM,
        /**
         * One source publishes at {@code rate} per second to a topic {@code count} subscribers
         * hold.
         */
        FANOUT
    }

    /**
     * One stage.
     *
     * @param name shown in results
     * @param type what it does
     * @param group the group it acts on ({@code null} for hold)
     * @param to ramp: the group's connected clients at the end
     * @param rate ramp and storm: connects per second (whole run); fanout: messages per second
     * @param duration hold, churn, fanout: how long; ramp and storm: the longest the stage waits
     *     for its connects
     * @param percent churn: percent of the group per second
     * @param count fanout: subscribers expected to receive each message (for loss)
     * @param topic fanout: the topic
     * @param qos fanout: publish QoS
     * @param payload fanout: what is sent
     * @param line the line the stage starts on in its file (0 when built in code)
     */
    public record Stage(
            String name,
            StageType type,
            String group,
            int to,
            double rate,
            Duration duration,
            double percent,
            int count,
            String topic,
            MqttQos qos,
            PayloadSpec payload,
            int line) {}
}
