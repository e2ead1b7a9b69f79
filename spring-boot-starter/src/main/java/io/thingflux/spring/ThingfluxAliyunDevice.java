package io.thingflux.spring;

import io.thingflux.alink.AliyunDevice;

/**
 * The auto-configured {@link AliyunDevice} with the connection that runs it, as one bean from which
 * the {@code AliyunDevice} and {@code ThingfluxConnection} beans are taken.
 */
public record ThingfluxAliyunDevice(AliyunDevice device, ThingfluxConnection connection) {}
