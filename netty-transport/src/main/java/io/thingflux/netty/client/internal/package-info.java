/**
 * Internals of the MQTT client: the pipeline handlers (one per concern, the order drawn in {@link
 * io.thingflux.netty.client.internal.ClientPipeline}) and the per-client session state they share
 * on the client's event loop. Internal API: it may change without notice.
 */
package io.thingflux.netty.client.internal;
