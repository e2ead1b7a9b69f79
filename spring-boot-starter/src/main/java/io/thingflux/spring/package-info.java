/**
 * Spring Boot auto-configuration of thingflux: properties, the shared client resources, an MQTT
 * client and an Aliyun device connected in the background, their health, meters and graceful
 * shutdown.
 */
package io.thingflux.spring;
