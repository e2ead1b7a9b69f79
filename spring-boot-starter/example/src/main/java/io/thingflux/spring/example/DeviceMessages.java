package io.thingflux.spring.example;

import io.thingflux.alink.AlinkJson;
import io.thingflux.alink.AlinkReply;
import io.thingflux.alink.AlinkRequest;
import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.ThingMessage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The device's incoming thing-model messages, read by one subscription for every HTTP client: it
 * answers each property set with code 200 (as a device that applied it) and hands each message to
 * the clients there are, each of which buffers on its own ({@link BoundedSse}).
 */
@Component
final class DeviceMessages implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DeviceMessages.class);

    /** Never holds a message: each goes to the subscribers present, which never lack demand. */
    private final Sinks.Many<ThingMessage> hub = Sinks.many().multicast().directBestEffort();

    private final Disposable reading;

    DeviceMessages(AliyunDevice device) {
        this.reading =
                device.messages()
                        .subscribe(
                                m -> {
                                    if (m instanceof ThingMessage.PropertySet set) {
                                        device.reply(set, AlinkReply.SUCCESS, null)
                                                .subscribe(
                                                        v -> {},
                                                        e ->
                                                                log.debug(
                                                                        "reply to {} failed: {}",
                                                                        set.id(),
                                                                        e.toString()));
                                    }
                                    // one producer (the device's stream); no subscriber is fine
                                    hub.tryEmitNext(m);
                                },
                                e -> log.warn("device messages ended: {}", e.toString()));
    }

    /** The messages from now on, at full speed (subscribers buffer them themselves). */
    Flux<ThingMessage> messages() {
        return hub.asFlux();
    }

    /** How many HTTP clients read the messages now. */
    int subscribers() {
        return hub.currentSubscriberCount();
    }

    @Override
    public void destroy() {
        reading.dispose();
    }

    /** The SSE event name of a message, e.g. {@code property_set}. */
    static String type(ThingMessage m) {
        if (m instanceof ThingMessage.PropertySet) {
            return "property_set";
        } else if (m instanceof ThingMessage.ServiceCall) {
            return "service_call";
        } else if (m instanceof ThingMessage.RrpcCall) {
            return "rrpc_call";
        } else if (m instanceof ThingMessage.ConfigPush) {
            return "config_push";
        } else if (m instanceof ThingMessage.Reply) {
            return "reply";
        } else if (m instanceof ThingMessage.NtpResponse) {
            return "ntp_response";
        } else if (m instanceof ThingMessage.OtaUpgrade) {
            return "ota_upgrade";
        } else if (m instanceof ThingMessage.RawDown) {
            return "raw_down";
        }
        return "unknown";
    }

    /** A message as one line of JSON: type, topic and what it carries. */
    static String json(ThingMessage m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", type(m));
        o.put("topic", m.topic());
        if (m instanceof ThingMessage.PropertySet set) {
            request(o, set.request());
        } else if (m instanceof ThingMessage.ServiceCall call) {
            o.put("service", call.serviceId());
            request(o, call.request());
        } else if (m instanceof ThingMessage.ConfigPush push) {
            request(o, push.request());
        } else if (m instanceof ThingMessage.Reply r) {
            AlinkReply reply = r.reply();
            o.put("id", reply.id());
            o.put("code", reply.code());
            o.put("message", reply.message());
            o.put("data", reply.data());
        } else if (m instanceof ThingMessage.RawDown raw) {
            o.put("payload", Base64.getEncoder().encodeToString(raw.payload()));
        } else if (m instanceof ThingMessage.UnknownMessage u) {
            o.put("reason", u.reason());
            o.put("payload", Base64.getEncoder().encodeToString(u.payload()));
        }
        return new String(AlinkJson.encodeValue(o), StandardCharsets.UTF_8);
    }

    private static void request(Map<String, Object> o, AlinkRequest r) {
        o.put("id", r.id());
        o.put("method", r.method());
        o.put("params", r.params());
    }
}
