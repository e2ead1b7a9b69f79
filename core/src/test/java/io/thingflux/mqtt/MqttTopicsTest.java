package io.thingflux.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MqttTopicsTest {

    private static final String NUL = "\u0000";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "/",
                "a/b",
                "/a/",
                "a//b",
                "$SYS/broker/load",
                "a b",
                "温度/😀/é",
                " ",
                "sport/tennis/player1"
            })
    void validTopicNamesAreAccepted(String name) {
        assertThat(MqttTopics.isValidName(name)).isTrue();
        assertThat(MqttTopics.requireValidName(name)).isSameAs(name);
        assertThat(MqttTopics.nameProblem(name)).isNull();
    }

    @Test
    void aNameCheckedBeforeIsAcceptedAgainAndAnInvalidOneCheckedAfterItStillRefused() {
        String valid = "/sys/pk/dn/thing/event/property/post";
        assertThat(MqttTopics.requireValidName(valid)).isSameAs(valid);
        assertThat(MqttTopics.requireValidName(valid)).isSameAs(valid);
        assertThat(MqttTopics.isValidName(valid)).isTrue();
        String refused = "/sys/+/dn/thing/event/property/post";
        assertThatThrownBy(() -> MqttTopics.requireValidName(refused))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcard '+'");
        assertThat(MqttTopics.isValidName(refused)).isFalse();
        assertThat(MqttTopics.requireValidName(new String(valid)))
                .isEqualTo(valid); // equal, not the same
        assertThat(MqttTopics.requireValidName("a")).isEqualTo("a");
        assertThatThrownBy(() -> MqttTopics.requireValidName(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttTopics.requireValidName(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MqttTopics.isValidName(null)).isFalse();
    }

    @Test
    void emptyTopicNameIsRefused() {
        assertThat(MqttTopics.nameProblem("")).contains("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "a/+", "a/#", "a+b", "a#b", "温度/+"})
    void topicNameWithAWildcardAnywhereIsRefused(String name) {
        assertThat(MqttTopics.nameProblem(name)).contains("wildcard");
        assertThatThrownBy(() -> MqttTopics.requireValidName(name))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topicNameWithNulIsRefused() {
        assertThat(MqttTopics.nameProblem("a" + NUL + "b")).contains("U+0000");
        assertThat(MqttTopics.nameProblem("温" + NUL)).contains("U+0000");
        // the message must not carry the raw NUL
        assertThatThrownBy(() -> MqttTopics.requireValidName("a" + NUL))
                .hasMessageNotContaining(NUL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "a/\uDC00", "x\uD83D", "\uDE00\uD83D"})
    void topicNameWithAnUnpairedSurrogateIsRefused(String name) {
        assertThat(MqttTopics.nameProblem(name)).contains("surrogate");
        assertThat(MqttTopics.filterProblem(name)).contains("surrogate");
    }

    @Test
    void topicNameOfAtMost65535Utf8BytesIsAccepted() {
        assertThat(MqttTopics.isValidName("a".repeat(65_535))).isTrue();
        assertThat(MqttTopics.isValidName("a".repeat(65_536))).isFalse();
        assertThat(MqttTopics.isValidName("中".repeat(21_845))).isTrue(); // 65535 bytes
        assertThat(MqttTopics.isValidName("中".repeat(21_845) + "a")).isFalse();
        assertThat(MqttTopics.isValidFilter("a".repeat(65_536))).isFalse();
        assertThat(MqttTopics.isValidFilter("中".repeat(21_845) + "/#")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "#",
                "+",
                "+/+",
                "/+",
                "a/#",
                "sport/tennis/+",
                "+/tennis/#",
                "/",
                "a//b",
                "$SYS/#",
                "+/#",
                "温度/+",
                "/#",
                "+//+",
                "sport/+/player1"
            })
    void validTopicFiltersAreAccepted(String filter) {
        assertThat(MqttTopics.filterProblem(filter)).isNull();
        assertThat(MqttTopics.requireValidFilter(filter)).isSameAs(filter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a#", "a/#/b", "#/a", "##", "sport/tennis#", "a/b#/c"})
    void multiLevelWildcardNotAloneAndLastIsRefused(String filter) {
        assertThat(MqttTopics.filterProblem(filter)).contains("'#'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+", "+a", "sport+", "a/+b/c", "a/b+", "++"})
    void singleLevelWildcardSharingItsLevelIsRefused(String filter) {
        assertThat(MqttTopics.filterProblem(filter)).contains("'+'");
    }

    @Test
    void emptyOrNulFilterIsRefused() {
        assertThat(MqttTopics.filterProblem("")).contains("empty");
        assertThat(MqttTopics.filterProblem("a/" + NUL)).contains("U+0000");
        assertThat(MqttTopics.isValidFilter(null)).isFalse();
        assertThat(MqttTopics.isValidName(null)).isFalse();
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        // MQTT 3.1.1 §4.7.1.2 examples
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "sport/#, sports, false",
        "#, sport/tennis, true",
        "#, /, true",
        // §4.7.1.3
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player2, true",
        "sport/tennis/+, sport/tennis/player1/ranking, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "+, a, true",
        "+, a/b, false",
        "+/x, /x, true",
        "a/+/c, a//c, true",
        "a/+/c, a/b/c, true",
        "a/+/c, a/b/d, false",
        "+/#, a, true",
        "a/#, a/, true",
        "a/#, ab, false",
        "a/b/#, a, false",
        // exact
        "a/b, a/b, true",
        "a/b, a/b/, false",
        "a/b/, a/b, false",
        "ACCOUNTS, Accounts, false",
        "温度/+, 温度/😀, true",
        "温度/#, 温度, true",
        // §4.7.2: wildcards at the first level do not match $ topics
        "#, $SYS/broker, false",
        "+/monitor/Clients, $SYS/monitor/Clients, false",
        "+, $SYS, false",
        "$SYS/#, $SYS/monitor/Clients, true",
        "$SYS/monitor/+, $SYS/monitor/Clients, true",
        "a/#, a/$x, true",
        "a/+, a/$x, true",
    })
    void filterMatchesTopicNameAsTheSpecificationSays(String filter, String name, boolean matches) {
        assertThat(MqttTopics.matches(filter, name)).isEqualTo(matches);
        // the same filter held between others in one string, as a subscriber keeps its filters
        String held = "x/#\u0000" + filter + "\u0000+/y";
        assertThat(MqttTopics.matches(held, 4, 4 + filter.length(), name)).isEqualTo(matches);
    }

    @Test
    void hasWildcardSeesEitherWildcard() {
        assertThat(MqttTopics.hasWildcard("a/+")).isTrue();
        assertThat(MqttTopics.hasWildcard("#")).isTrue();
        assertThat(MqttTopics.hasWildcard("a/b")).isFalse();
    }

    /**
     * Matching agrees with a level-by-level reading of §4.7 on random filters and names (seeded).
     */
    @Test
    void matchingAgreesWithALevelByLevelReading() {
        long seed = Long.getLong("thingflux.test.seed", 0x70_91C5L);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 3_000; i++) {
            String filter = levels(random, FILTER_LEVELS, random.nextBoolean());
            String name = levels(random, NAME_LEVELS, false);
            boolean expected = referenceMatch(filter, name);
            assertThat(MqttTopics.matches(filter, name))
                    .as("seed %d: %s ~ %s", seed, filter, name)
                    .isEqualTo(expected);
            String held = "#\u0000" + filter + "\u0000a/#";
            assertThat(MqttTopics.matches(held, 2, 2 + filter.length(), name))
                    .as("seed %d: held %s ~ %s", seed, filter, name)
                    .isEqualTo(expected);
        }
    }

    private static final String[] NAME_LEVELS = {"a", "b", "", "$x", "ab", "温"};
    private static final String[] FILTER_LEVELS = {"a", "b", "", "$x", "ab", "温", "+", "+"};

    /**
     * One to four levels from {@code choices} joined by '/', then "/#" if {@code multi}; never
     * empty.
     */
    private static String levels(SplittableRandom random, String[] choices, boolean multi) {
        String s;
        do {
            List<String> l = new ArrayList<>();
            for (int n = random.nextInt(1, 5); n > 0; n--) {
                l.add(choices[random.nextInt(choices.length)]);
            }
            if (multi) {
                l.add("#");
            }
            s = String.join("/", l);
        } while (s.isEmpty());
        return s;
    }

    private static boolean referenceMatch(String filter, String name) {
        List<String> f = Arrays.asList(filter.split("/", -1));
        List<String> n = Arrays.asList(name.split("/", -1));
        if (name.startsWith("$") && (f.get(0).equals("+") || f.get(0).equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.size(); i++) {
            if (f.get(i).equals("#")) {
                return true; // matches the parent level too: "a/#" matches "a"
            }
            if (i >= n.size()) {
                return false;
            }
            if (!f.get(i).equals("+") && !f.get(i).equals(n.get(i))) {
                return false;
            }
        }
        return f.size() == n.size();
    }
}
