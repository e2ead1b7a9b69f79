package io.thingflux.emulator.platform;

/** How the broker checks a CONNECT and what it allows afterwards. */
public enum AuthMode {
    /**
     * As the Aliyun IoT Platform: signed device CONNECTs (or configured application identities),
     * the per-device topic ACL, QoS 0 and 1 only, no will and no retain, every allowed filter
     * granted QoS 1.
     */
    ALIYUN,
    /**
     * A plain MQTT 3.1.1 broker for any client: no credentials checked, no ACL, QoS 0..2, will and
     * retain.
     */
    NONE
}
