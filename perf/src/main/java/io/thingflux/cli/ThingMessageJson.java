package io.thingflux.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkRequest;
import io.thingflux.alink.ThingMessage;

/**
 * The JSON line {@code device} prints for an incoming {@link ThingMessage}: a {@code "type"} naming
 * its kind ({@code property_set}, {@code service_call}, {@code rrpc_call}, {@code config_push},
 * {@code reply}, {@code ntp_response}, {@code ota_upgrade}, {@code raw_down}, {@code unknown}), its
 * {@code "topic"} and its content.
 */
final class ThingMessageJson {

    private ThingMessageJson() {}

    /** The {@code "type"} of {@code message}'s line. */
    public static String type(ThingMessage message) {
        if (message instanceof ThingMessage.PropertySet) {
            return "property_set";
        } else if (message instanceof ThingMessage.ServiceCall) {
            return "service_call";
        } else if (message instanceof ThingMessage.RrpcCall) {
            return "rrpc_call";
        } else if (message instanceof ThingMessage.ConfigPush) {
            return "config_push";
        } else if (message instanceof ThingMessage.Reply) {
            return "reply";
        } else if (message instanceof ThingMessage.NtpResponse) {
            return "ntp_response";
        } else if (message instanceof ThingMessage.OtaUpgrade) {
            return "ota_upgrade";
        } else if (message instanceof ThingMessage.RawDown) {
            return "raw_down";
        } else if (message instanceof ThingMessage.ShadowMessage s) {
            return s.isControl() ? "shadow_control" : "shadow_reply";
        }
        return "unknown";
    }

    /** {@code message} as one JSON object. */
    public static ObjectNode toJson(ThingMessage message) {
        ObjectNode n = JsonLines.object();
        n.put("type", type(message));
        n.put("topic", message.topic());
        if (message instanceof ThingMessage.PropertySet p) {
            request(n, p.request());
        } else if (message instanceof ThingMessage.ServiceCall s) {
            n.put("service", s.serviceId());
            request(n, s.request());
        } else if (message instanceof ThingMessage.RrpcCall r) {
            n.put("messageId", r.messageId());
            if (r.serviceId() != null) {
                n.put("service", r.serviceId());
            }
            if (r.request() != null) {
                request(n, r.request());
            } else {
                n.put("id", r.id());
                PayloadJson.put(n, "payload", r.payload());
            }
        } else if (message instanceof ThingMessage.ConfigPush c) {
            request(n, c.request());
        } else if (message instanceof ThingMessage.Reply r) {
            reply(n, r.reply());
        } else if (message instanceof ThingMessage.NtpResponse t) {
            n.put("deviceSendTime", t.deviceSendTime());
            n.put("serverRecvTime", t.serverRecvTime());
            n.put("serverSendTime", t.serverSendTime());
            n.put("deviceRecvTime", t.deviceRecvTime());
            n.put("serverTime", t.serverTimeMillis());
            n.put("offset", t.offsetMillis());
        } else if (message instanceof ThingMessage.OtaUpgrade o) {
            n.put("id", o.id());
            n.put("code", o.code());
            n.set("data", JsonLines.MAPPER.valueToTree(o.data()));
            if (o.message() != null) {
                n.put("message", o.message());
            }
        } else if (message instanceof ThingMessage.RawDown r) {
            PayloadJson.put(n, "payload", r.payload());
        } else if (message instanceof ThingMessage.ShadowMessage s) {
            n.put("method", s.method());
            n.put("version", s.version());
            n.set("payload", JsonLines.MAPPER.valueToTree(s.payload()));
        } else if (message instanceof ThingMessage.UnknownMessage u) {
            n.put("qos", u.qos().code());
            n.put("reason", u.reason());
            PayloadJson.put(n, "payload", u.payload());
        }
        return n;
    }

    /** Adds {@code id, code, data[, message]} of {@code reply} to {@code n}. */
    public static ObjectNode reply(ObjectNode n, AlinkReply reply) {
        n.put("id", reply.id());
        n.put("code", reply.code());
        n.set("data", JsonLines.MAPPER.valueToTree(reply.data()));
        if (reply.message() != null) {
            n.put("message", reply.message());
        }
        return n;
    }

    private static void request(ObjectNode n, AlinkRequest request) {
        n.put("id", request.id());
        if (request.method() != null) {
            n.put("method", request.method());
        }
        n.set("params", JsonLines.MAPPER.valueToTree(request.params()));
    }
}
