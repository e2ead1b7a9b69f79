/**
 * Internals of the emulator broker: the per-connection pipeline handler, sessions, the subscription
 * tree, the platform's CONNECT check and topic ACL, the Alink responder, the publish recorder and
 * the admin HTTP handler with the OpenAPI's signature checks and actions. Not an API: use {@link
 * io.thingflux.emulator.platform.AliyunPlatformEmulator}.
 */
package io.thingflux.emulator.platform.internal;
