package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thingflux.mqtt.MqttQos;
import io.thingflux.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {

    private static Set<String> matching(SubscriptionTree<String> tree, String topic) {
        Set<String> out = new TreeSet<>();
        tree.match(topic, (s, q) -> out.add(s));
        return out;
    }

    @Test
    void wildcardsMatchAsTheSpecificationSays() {
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        tree.subscribe("sport/tennis/player1", "exact", MqttQos.AT_MOST_ONCE);
        tree.subscribe("sport/tennis/+", "plus", MqttQos.AT_MOST_ONCE);
        tree.subscribe("sport/#", "hash", MqttQos.AT_MOST_ONCE);
        tree.subscribe("#", "all", MqttQos.AT_MOST_ONCE);
        tree.subscribe("+/+", "twoLevels", MqttQos.AT_MOST_ONCE);
        tree.subscribe("/+", "leadingSlash", MqttQos.AT_MOST_ONCE);

        assertThat(matching(tree, "sport/tennis/player1"))
                .containsExactly("all", "exact", "hash", "plus");
        assertThat(matching(tree, "sport")).containsExactly("all", "hash");
        assertThat(matching(tree, "sport/tennis")).containsExactly("all", "hash", "twoLevels");
        assertThat(matching(tree, "/finance")).containsExactly("all", "leadingSlash", "twoLevels");
        assertThat(matching(tree, "$SYS/x")).isEmpty(); // MQTT-4.7.2-1
    }

    @Test
    void unsubscribingPrunesTheTree() {
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        tree.subscribe("/sys/pk/dn/thing/service/+", "a", MqttQos.AT_LEAST_ONCE);
        tree.subscribe("/sys/pk/dn/thing/#", "b", MqttQos.AT_LEAST_ONCE);
        assertThat(tree.unsubscribe("/sys/pk/dn/thing/service/+", "a")).isTrue();
        assertThat(tree.unsubscribe("/sys/pk/dn/thing/service/+", "a")).isFalse();
        assertThat(tree.isEmpty()).isFalse();
        assertThat(tree.unsubscribe("/sys/pk/dn/thing/#", "b")).isTrue();
        assertThat(tree.isEmpty()).isTrue();
    }

    @Test
    void resubscribingReplacesTheGrantedQos() {
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        tree.subscribe("a/b", "s", MqttQos.AT_MOST_ONCE);
        tree.subscribe("a/b", "s", MqttQos.AT_LEAST_ONCE);
        Map<String, MqttQos> seen = new HashMap<>();
        tree.match("a/b", seen::put);
        assertThat(seen).containsExactly(Map.entry("s", MqttQos.AT_LEAST_ONCE));
    }

    @Test
    void aCachedMatchFollowsEverySubscribeAndUnsubscribe() {
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        tree.subscribe(
                "/sys/pk/dn/thing/event/property/post_reply", "device", MqttQos.AT_LEAST_ONCE);
        String topic = "/sys/pk/dn/thing/event/property/post_reply";
        assertThat(matching(tree, topic)).containsExactly("device");
        assertThat(matching(tree, topic)).as("from the cache").containsExactly("device");
        tree.subscribe("/sys/pk/dn/thing/#", "app", MqttQos.AT_MOST_ONCE);
        assertThat(matching(tree, topic)).containsExactly("app", "device");
        tree.subscribe("/sys/pk/dn/thing/#", "app", MqttQos.AT_LEAST_ONCE);
        Map<String, MqttQos> seen = new HashMap<>();
        tree.match(topic, seen::put);
        assertThat(seen).containsEntry("app", MqttQos.AT_LEAST_ONCE);
        tree.unsubscribe("/sys/pk/dn/thing/event/property/post_reply", "device");
        assertThat(matching(tree, topic)).containsExactly("app");
        tree.unsubscribe("/sys/pk/dn/thing/#", "app");
        assertThat(matching(tree, topic)).isEmpty();
        assertThat(tree.isEmpty()).isTrue();
    }

    @Test
    void aSubscriberVisitedOncePerMatchingFilterAlsoFromTheCache() {
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        tree.subscribe("a/+", "s", MqttQos.AT_MOST_ONCE);
        tree.subscribe("a/#", "s", MqttQos.AT_LEAST_ONCE);
        for (int round = 0; round < 2; round++) {
            List<MqttQos> visits = new ArrayList<>();
            tree.match("a/b", (sub, q) -> visits.add(q));
            assertThat(visits)
                    .containsExactlyInAnyOrder(MqttQos.AT_MOST_ONCE, MqttQos.AT_LEAST_ONCE);
        }
    }

    /**
     * The tree agrees with the reference matcher of core for every filter and name over a small
     * alphabet.
     */
    @Test
    void treeAgreesWithMqttTopicsMatches() {
        SplittableRandom seeds = new SplittableRandom(0x5EED_7EEEL);
        for (int i = 0; i < 300; i++) {
            int seed = seeds.nextInt(0, 10_001);
            treeAgreesWithMqttTopicsMatches(seed, "case " + i + ", seed " + seed);
        }
    }

    private static void treeAgreesWithMqttTopicsMatches(int seed, String testCase) {
        java.util.Random random = new java.util.Random(seed);
        String[] levels = {"a", "b", "", "$s"};
        List<String> filters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            filters.add(randomFilter(random, levels));
        }
        SubscriptionTree<String> tree = new SubscriptionTree<>();
        for (String f : filters) {
            tree.subscribe(f, f, MqttQos.AT_MOST_ONCE);
        }
        for (int i = 0; i < 10; i++) {
            String name = randomName(random, levels);
            Set<String> expected = new TreeSet<>();
            for (String f : filters) {
                if (MqttTopics.matches(f, name)) {
                    expected.add(f);
                }
            }
            assertThat(matching(tree, name))
                    .as("%s: name %s, filters %s", testCase, name, filters)
                    .isEqualTo(expected);
        }
    }

    private static String randomName(java.util.Random r, String[] levels) {
        int n = 1 + r.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            String l = levels[r.nextInt(levels.length)];
            sb.append(i > 0 && l.startsWith("$") ? "a" : l);
        }
        return sb.length() == 0 ? "a" : sb.toString();
    }

    private static String randomFilter(java.util.Random r, String[] levels) {
        int n = 1 + r.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int k = r.nextInt(6);
            if (k == 0) {
                sb.append('+');
            } else if (k == 1 && i == n - 1) {
                sb.append('#');
            } else {
                String l = levels[r.nextInt(levels.length)];
                sb.append(i > 0 && l.startsWith("$") ? "b" : l);
            }
        }
        String f = sb.toString();
        return f.isEmpty() ? "a" : f;
    }
}
