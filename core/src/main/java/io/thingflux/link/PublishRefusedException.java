package io.thingflux.link;

/**
 * The broker closed the connection each time this publish was the oldest one waiting for its
 * acknowledgement, as many times as the link's attempts allow, so the link gave it up. MQTT 3.1.1
 * has no negative PUBACK: this is how a broker answers a publish its ACL refuses.
 */
public final class PublishRefusedException extends RuntimeException {

    private final String topic;
    private final int attempts;

    public PublishRefusedException(String topic, int attempts) {
        super(
                "publish to "
                        + topic
                        + " given up: the broker closed the connection "
                        + attempts
                        + " time(s) while it waited for its acknowledgement (refused by an ACL?)");
        this.topic = topic;
        this.attempts = attempts;
    }

    public String topic() {
        return topic;
    }

    public int attempts() {
        return attempts;
    }
}
