package io.thingflux.alink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * The device tags of one {@link AliyunDevice}: {@code thing.deviceinfo.update} and {@code
 * thing.deviceinfo.delete}. A key is 2 to 32 letters, digits or underscores, not starting with a
 * digit; a value at most 128 characters. A key or value that breaks these rules throws {@link
 * IllegalArgumentException} before anything is sent. The device must subscribe to {@link
 * AlinkTopics#platformSubscriptions()}.
 */
public final class DeviceTags {

    /** The longest tag value. */
    public static final int MAX_VALUE_LENGTH = 128;

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{1,31}");

    private final AliyunDevice device;

    DeviceTags(AliyunDevice device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    /** Sets tags ({@code [{"attrKey","attrValue"}]}); completes with the platform's reply. */
    public Mono<AlinkReply> update(Map<String, String> tags) {
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("no tags");
        }
        List<Object> params = new ArrayList<>();
        tags.forEach(
                (k, v) -> {
                    requireKey(k);
                    Objects.requireNonNull(v, "value of " + k);
                    if (v.isEmpty() || v.length() > MAX_VALUE_LENGTH) {
                        throw new IllegalArgumentException(
                                "tag " + k + ": a value is 1 to 128 characters");
                    }
                    Map<String, Object> tag = new LinkedHashMap<>(); // the platform's order
                    tag.put("attrKey", k);
                    tag.put("attrValue", v);
                    params.add(tag);
                });
        return device.request(
                device.topics().deviceInfoUpdate(), "thing.deviceinfo.update", params);
    }

    /** Deletes tags by key ({@code [{"attrKey"}]}). */
    public Mono<AlinkReply> delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no tags");
        }
        List<Object> params = new ArrayList<>();
        keys.forEach(k -> params.add(Map.of("attrKey", requireKey(k))));
        return device.request(
                device.topics().deviceInfoDelete(), "thing.deviceinfo.delete", params);
    }

    /** Whether {@code key} is a valid tag key. */
    public static boolean isValidKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    private static String requireKey(String key) {
        if (!isValidKey(key)) {
            throw new IllegalArgumentException(
                    "a tag key is 2 to 32 letters, digits or '_', not starting with a digit");
        }
        return key;
    }
}
