package io.thingflux.emulator.platform.internal;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A refused OpenAPI request, answered with {@code status} and a body naming {@code code} and the
 * message (as {@code Message} and {@code ErrorMessage}); never carries a secret.
 */
final class OpenApiError extends RuntimeException {

    final HttpResponseStatus status;
    final String code;

    OpenApiError(HttpResponseStatus status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static OpenApiError missing(String parameter) {
        return new OpenApiError(
                HttpResponseStatus.BAD_REQUEST,
                "MissingParameter",
                parameter + " is mandatory for this action.");
    }

    static OpenApiError invalid(String parameter, String why) {
        return new OpenApiError(
                HttpResponseStatus.BAD_REQUEST,
                "InvalidParameter",
                "The specified parameter " + parameter + " is not valid: " + why);
    }
}
