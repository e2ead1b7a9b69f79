package io.thingflux.bench;

import io.thingflux.aliyun.AliyunDeviceIdentity;
import java.net.InetSocketAddress;

/**
 * The MQTT client that drives the simulated devices: one per run, owning what its devices share
 * (event loops, timers), so thousands of devices cost no thread each. The bench measures every
 * implementation the same way; only this differs between {@code --client thingflux} and {@code
 * --client hivemq}.
 */
public interface LoadClient extends AutoCloseable {

    /** The name in results: {@code thingflux} or {@code hivemq}. */
    String name();

    /**
     * A device that is not connected yet.
     *
     * @param identity its triple; the client signs in with it as the platform expects
     * @param localAddress the source address of its socket, or {@code null} for the system's choice
     * @param downlinks told of every property set the platform sends the device
     */
    BenchDevice device(
            AliyunDeviceIdentity identity,
            InetSocketAddress localAddress,
            DownlinkListener downlinks);

    /** Releases what the devices shared. Devices still connected are dropped. */
    @Override
    void close();
}
