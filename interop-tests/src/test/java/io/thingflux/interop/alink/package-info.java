/**
 * The Alink thing-model device API ({@link io.thingflux.alink.AliyunDevice}) over the Netty link,
 * proven against the platform emulator and against HiveMQ CE with a HiveMQ client playing the
 * platform.
 */
package io.thingflux.interop.alink;
