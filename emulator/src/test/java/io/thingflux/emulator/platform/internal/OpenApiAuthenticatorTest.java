package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The nonce store's bounds and the timestamp window, on a clock the test moves. */
class OpenApiAuthenticatorTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A clock the test sets. */
    static final class MovableClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static OpenApiRequest signed(Instant timestamp, String nonce) {
        Map<String, String> params = new HashMap<>();
        params.put("Action", "GetDeviceStatus");
        params.put("Version", "2018-01-20");
        params.put("AccessKeyId", "id");
        params.put("SignatureMethod", "HMAC-SHA1");
        params.put("SignatureVersion", "1.0");
        params.put("SignatureNonce", nonce);
        params.put("Timestamp", timestamp.toString());
        params.put(
                "Signature",
                OpenApiSignatures.v1Signature(
                        "secret", OpenApiSignatures.v1StringToSign("GET", params)));
        return new OpenApiRequest("GET", "/", params, Map.of(), Map.of(), new byte[0]);
    }

    /** {@code r} with parameter {@code name} set to {@code value} (removed when null). */
    static OpenApiRequest with(OpenApiRequest r, String name, String value) {
        Map<String, String> q = new HashMap<>(r.query());
        if (value == null) {
            q.remove(name);
        } else {
            q.put(name, value);
        }
        return new OpenApiRequest(r.method(), r.rawPath(), q, r.form(), r.headers(), r.body());
    }

    static String refusal(OpenApiAuthenticator a, OpenApiRequest r) {
        try {
            a.verify(r);
            return null;
        } catch (OpenApiError e) {
            return e.code;
        }
    }

    @Test
    void noncesAreForgottenWhenTheirTimestampCouldNoLongerBeAccepted() {
        MovableClock clock = new MovableClock();
        OpenApiAuthenticator a = new OpenApiAuthenticator(Map.of("id", "secret"), clock);
        assertThat(refusal(a, signed(T0, "n1"))).isNull();
        assertThat(refusal(a, signed(T0, "n1"))).isEqualTo("SignatureNonceUsed");
        clock.now = T0.plus(Duration.ofMinutes(14));
        assertThat(refusal(a, signed(T0, "n1"))).isEqualTo("SignatureNonceUsed");
        clock.now = T0.plus(Duration.ofMinutes(31));
        // the old request is expired anyway; a fresh one with the same nonce evicts the old entry
        assertThat(refusal(a, signed(T0, "n1"))).isEqualTo("InvalidTimeStamp.Expired");
        assertThat(refusal(a, signed(clock.now, "n2"))).isNull();
        assertThat(a.rememberedNonces()).isEqualTo(1);
    }

    @Test
    void theNonceStoreIsBoundedAndForgetsTheOldestFirst() {
        MovableClock clock = new MovableClock();
        OpenApiAuthenticator a = new OpenApiAuthenticator(Map.of("id", "secret"), clock, 3);
        for (String n : List.of("a", "b", "c", "d")) {
            assertThat(refusal(a, signed(T0, n))).isNull();
        }
        assertThat(a.rememberedNonces()).isEqualTo(3);
        assertThat(refusal(a, signed(T0, "d"))).isEqualTo("SignatureNonceUsed");
        assertThat(refusal(a, signed(T0, "a"))).isNull();
    }

    @Test
    void timestampsWithinFifteenMinutesEitherWayAreAccepted() {
        MovableClock clock = new MovableClock();
        OpenApiAuthenticator a = new OpenApiAuthenticator(Map.of("id", "secret"), clock);
        assertThat(refusal(a, signed(T0.plus(Duration.ofMinutes(15)), "x1"))).isNull();
        assertThat(refusal(a, signed(T0.minus(Duration.ofMinutes(15)), "x2"))).isNull();
        assertThat(refusal(a, signed(T0.plus(Duration.ofMinutes(16)), "x3")))
                .isEqualTo("InvalidTimeStamp.Expired");
        assertThat(refusal(a, with(signed(T0, "x4"), "Timestamp", "yesterday")))
                .isEqualTo("InvalidTimeStamp.Format");
        assertThat(a.toString()).doesNotContain("secret");
        assertThatThrownBy(() -> a.verify(with(signed(T0, "x5"), "Signature", null)))
                .isInstanceOfSatisfying(
                        OpenApiError.class, e -> assertThat(e.code).isEqualTo("MissingParameter"));
    }
}
