package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A load client whose connects and posts complete only when the test says so. */
final class ScriptedLoadClient implements LoadClient {

    final List<ScriptedDevice> devices = new ArrayList<>();

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public BenchDevice device(
            AliyunDeviceIdentity identity,
            InetSocketAddress localAddress,
            DownlinkListener downlinks) {
        ScriptedDevice d = new ScriptedDevice(identity, localAddress, downlinks);
        devices.add(d);
        return d;
    }

    @Override
    public void close() {}

    static final class ScriptedDevice implements BenchDevice {
        final AliyunDeviceIdentity identity;
        final InetSocketAddress localAddress;
        final DownlinkListener downlinks;
        final CompletableFuture<Void> connect = new CompletableFuture<>();
        final List<CompletableFuture<Void>> posts = new ArrayList<>();
        int disconnects;

        ScriptedDevice(
                AliyunDeviceIdentity identity,
                InetSocketAddress localAddress,
                DownlinkListener downlinks) {
            this.identity = identity;
            this.localAddress = localAddress;
            this.downlinks = downlinks;
        }

        @Override
        public CompletableFuture<Void> connect() {
            return connect;
        }

        @Override
        public CompletableFuture<Void> postProperties(Map<String, ?> params) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            posts.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            disconnects++;
            return CompletableFuture.completedFuture(null);
        }
    }
}
