/**
 * The EC600S/EC200S MQTT driver: {@link io.thingflux.serial.Ec600sLink} implements the {@link
 * io.thingflux.link.MqttLink} seam with the module's {@code QMT} AT commands over an {@link
 * io.thingflux.serial.at.AtChannel}; {@link io.thingflux.serial.Ec600sOptions} configures it; the
 * module's result codes surface as typed exceptions.
 */
package io.thingflux.serial;
