/**
 * Test doubles of the {@link io.thingflux.link.MqttLink} seam, shipped in core's test-jar so every
 * module can test what it builds on a link without a broker.
 */
package io.thingflux.link.testing;
