/**
 * How an {@link io.thingflux.alink.AliyunDevice} works inside, not for use by applications: the
 * requests awaiting their answer ({@link io.thingflux.alink.internal.PendingRequests}) and the
 * routing of what the link delivers to them or to the device's messages ({@link
 * io.thingflux.alink.internal.IncomingRouter}) through the bounded buffer every reader shares
 * ({@link io.thingflux.alink.internal.MessageBuffer}). May change without notice.
 */
package io.thingflux.alink.internal;
