package io.thingflux.alink;

import io.thingflux.aliyun.AliyunLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The params of a {@code thing.event.property.batch.post}: several timed values per property and
 * per event, {@code {"properties":{id:[{value,time}..]},"events":{id:[{value:{..},time}..]}}}.
 * Validated as it is built.
 */
public final class BatchPost {

    private final Map<String, List<TimedValue>> properties;
    private final Map<String, List<TimedValue>> events;

    private BatchPost(Builder b) {
        this.properties = freeze(b.properties);
        this.events = freeze(b.events);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, List<TimedValue>> properties() {
        return properties;
    }

    public Map<String, List<TimedValue>> events() {
        return events;
    }

    /** The params object as {@link AlinkJson} writes it. */
    public Map<String, Object> params() {
        Map<String, Object> params = new LinkedHashMap<>();
        if (!properties.isEmpty()) {
            params.put("properties", properties);
        }
        if (!events.isEmpty()) {
            params.put("events", events);
        }
        return params;
    }

    private static Map<String, List<TimedValue>> freeze(Map<String, List<TimedValue>> m) {
        Map<String, List<TimedValue>> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** Builds a {@link BatchPost}. */
    public static final class Builder {
        private final Map<String, List<TimedValue>> properties = new LinkedHashMap<>();
        private final Map<String, List<TimedValue>> events = new LinkedHashMap<>();

        private Builder() {}

        /** Adds a value of property {@code identifier} measured at {@code timeMillis}. */
        public Builder property(String identifier, Object value, long timeMillis) {
            AlinkValidation.requireIdentifier(identifier, "property");
            AlinkValidation.requireValue(value, identifier);
            if (!properties.containsKey(identifier)) {
                AliyunLimits.requirePropertyCount(properties.size() + 1);
            }
            properties
                    .computeIfAbsent(identifier, k -> new ArrayList<>())
                    .add(new TimedValue(value, timeMillis));
            return this;
        }

        /**
         * Adds an occurrence of event {@code identifier} with its output values at {@code
         * timeMillis}.
         */
        public Builder event(String identifier, Map<String, ?> value, long timeMillis) {
            AlinkValidation.requireIdentifier(identifier, "event");
            Map<String, Object> copy =
                    value == null
                            ? Map.of()
                            : Collections.unmodifiableMap(new LinkedHashMap<>(value));
            AlinkValidation.requireValue(copy, identifier);
            events.computeIfAbsent(identifier, k -> new ArrayList<>())
                    .add(new TimedValue(copy, timeMillis));
            return this;
        }

        /**
         * @throws IllegalArgumentException when nothing was added
         */
        public BatchPost build() {
            if (properties.isEmpty() && events.isEmpty()) {
                throw new IllegalArgumentException(
                        "a batch post needs at least one property or event");
            }
            return new BatchPost(this);
        }
    }
}
