/**
 * Where a link keeps the QoS 1/2 publishes it has not finished and the QoS 2 packet ids it has
 * received but not released: in memory (the default, nothing survives the process) or in an
 * append-only file log that a restarted process reads back ({@link
 * io.thingflux.link.outbox.FileOutboxOptions}). Both transports use the same {@link
 * io.thingflux.link.outbox.OutboxStore}.
 */
package io.thingflux.link.outbox;
