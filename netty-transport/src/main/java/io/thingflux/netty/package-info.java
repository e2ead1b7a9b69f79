/**
 * What the Netty transport shares between its client ({@code io.thingflux.netty.client}) and the
 * emulator's server: {@link io.thingflux.netty.NativeTransport}, the choice of epoll or NIO for the
 * event loops.
 */
package io.thingflux.netty;
