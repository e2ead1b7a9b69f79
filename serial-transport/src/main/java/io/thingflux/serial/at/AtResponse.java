package io.thingflux.serial.at;

import java.util.List;
import java.util.Optional;

/**
 * What a completed command returned.
 *
 * @param lines the information lines before the final {@code OK} (echo and URCs excluded)
 * @param urc the result URC the command waited for, when it expected one
 */
public record AtResponse(List<String> lines, Optional<AtUrc> urc) {

    public AtResponse {
        lines = List.copyOf(lines);
    }

    /** The first line starting with {@code prefix}, without the prefix and following spaces. */
    public Optional<String> line(String prefix) {
        for (String l : lines) {
            if (l.startsWith(prefix)) {
                return Optional.of(l.substring(prefix.length()).stripLeading());
            }
        }
        return Optional.empty();
    }
}
