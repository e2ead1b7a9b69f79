package io.thingflux.netty.client.internal;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.thingflux.netty.client.MqttProxyOptions;
import java.net.InetSocketAddress;

/**
 * Adds the proxy handler of a client connection, first in the pipeline (only loaded when {@link
 * io.thingflux.netty.client.MqttClientOptions#proxy()} is set, so {@code netty-handler-proxy} stays
 * optional). It connects to the proxy, opens the tunnel to the broker and holds back writes until
 * the tunnel is open; a refusal fails the connection with Netty's {@code ProxyConnectException}.
 */
final class ProxyPipeline {

    static final String PROXY = "proxy";

    private ProxyPipeline() {}

    static void install(ChannelPipeline p, MqttProxyOptions proxy, InetSocketAddress proxyAddress) {
        ProxyHandler handler =
                switch (proxy.type()) {
                    case HTTP ->
                            proxy.username() == null
                                    ? new HttpProxyHandler(proxyAddress)
                                    : new HttpProxyHandler(
                                            proxyAddress,
                                            proxy.username(),
                                            proxy.password() == null ? "" : proxy.password());
                    case SOCKS5 ->
                            proxy.username() == null
                                    ? new Socks5ProxyHandler(proxyAddress)
                                    : new Socks5ProxyHandler(
                                            proxyAddress,
                                            proxy.username(),
                                            proxy.password() == null ? "" : proxy.password());
                };
        handler.setConnectTimeoutMillis(proxy.connectTimeout().toMillis());
        p.addFirst(PROXY, handler);
    }
}
