package io.thingflux.emulator.platform.internal;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the OpenAPI endpoint, as the signature checks need it.
 *
 * @param method the HTTP method
 * @param rawPath the path as sent, without the query
 * @param query the decoded query parameters
 * @param form the decoded {@code application/x-www-form-urlencoded} body parameters (empty for
 *     other bodies)
 * @param headers every header's values by lower-case name
 * @param body the raw body
 */
record OpenApiRequest(
        String method,
        String rawPath,
        Map<String, String> query,
        Map<String, String> form,
        Map<String, List<String>> headers,
        byte[] body) {

    String header(String lowerCaseName) {
        List<String> v = headers.get(lowerCaseName);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
