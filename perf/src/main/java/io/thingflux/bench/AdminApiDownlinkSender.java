package io.thingflux.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends property sets through the emulator's admin HTTP API: {@code POST /api/SetDeviceProperty}
 * with {@code {"ProductKey","DeviceName","Items":"<JSON object as text>"}}, as the platform's
 * OpenAPI action of that name. A reply without {@code "Success":true} fails with its {@code Code}.
 * One shared HTTP client, asynchronous; the caller bounds how many requests are outstanding.
 */
public final class AdminApiDownlinkSender implements DownlinkSender {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final URI setDeviceProperty;
    private final String token;

    /**
     * @param host the admin API's host
     * @param port its port
     * @param token sent as {@code Authorization: Bearer TOKEN}, or {@code null} when the API has
     *     none
     */
    public AdminApiDownlinkSender(String host, int port, String token) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.setDeviceProperty =
                URI.create(
                        "http://"
                                + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                                + ":"
                                + port
                                + "/api/SetDeviceProperty");
        this.token = token;
    }

    @Override
    public CompletableFuture<Void> setProperties(
            AliyunDeviceIdentity device, Map<String, Object> items) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("ProductKey", device.productKey());
        body.put("DeviceName", device.deviceName());
        try {
            body.put("Items", MAPPER.writeValueAsString(items));
            HttpRequest.Builder req =
                    HttpRequest.newBuilder(setDeviceProperty)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(
                                    HttpRequest.BodyPublishers.ofByteArray(
                                            MAPPER.writeValueAsBytes(body)));
            if (token != null) {
                req.header("Authorization", "Bearer " + token);
            }
            return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .thenApply(AdminApiDownlinkSender::check);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Void check(HttpResponse<byte[]> response) {
        JsonNode reply;
        try {
            reply = MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "admin API answered " + response.statusCode() + " with no JSON", e);
        }
        if (response.statusCode() != 200
                || reply == null
                || !reply.path("Success").asBoolean(false)) {
            String code = reply == null ? "" : reply.path("Code").asText("");
            throw new PostFailedException(
                    "downlink_refused" + (code.isEmpty() ? "" : "_" + code),
                    "SetDeviceProperty answered "
                            + response.statusCode()
                            + " "
                            + (reply == null ? "" : reply.toString()));
        }
        return null;
    }
}
