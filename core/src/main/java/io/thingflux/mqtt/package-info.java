/**
 * The MQTT 3.1.1 packet model: one immutable record per control packet (<a
 * href="https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html#_Toc398718027">MQTT
 * 3.1.1 §3</a>), the wire enums, topic name and filter rules, and the typed protocol error.
 *
 * <p>Nothing here depends on a transport: the Netty codec and the EC600S driver both speak these
 * types.
 */
package io.thingflux.mqtt;
