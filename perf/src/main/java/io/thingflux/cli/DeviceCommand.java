package io.thingflux.cli;

import io.thingflux.alink.AliyunDevice;
import io.thingflux.alink.AliyunDeviceOptions;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunEndpoints;
import io.thingflux.link.outbox.OutboxException;
import io.thingflux.netty.client.MqttClientOptions;
import io.thingflux.netty.client.MqttClientResources;
import io.thingflux.netty.client.NettyMqttLink;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code thingflux device}: the {@link DeviceConsole} of one Aliyun thing-model device on the Netty
 * link; this command adds the broker address, TLS and the Aliyun instance.
 */
@Command(
        name = "device",
        mixinStandardHelpOptions = true,
        description = {
            "Connects one Aliyun IoT thing-model device and streams every incoming thing message (property "
                    + "set, service call, RRPC, config push, NTP, OTA, raw) to stdout as one JSON object per "
                    + "line, with a \"type\" naming its kind. Property sets and service calls are answered "
                    + "with code 200 unless --no-auto-reply.",
            "Each JSON object read from stdin (one per line) is posted as properties; its reply is printed as "
                    + "{\"type\":\"reply\",\"line\":N,\"id\":..,\"code\":..,\"data\":..}, a failure as "
                    + "{\"type\":\"error\",\"line\":N,\"error\":..}. Logs go to stderr.",
            "EOF on stdin, SIGINT or SIGTERM: DISCONNECT, exit 0. A refused or lost connection: exit 1 with "
                    + "a one-line reason on stderr.",
            "With --outbox DIR, QoS 1 posts not yet acknowledged survive a crash or a kill: the next start "
                    + "sends them (with DUP) first. One process per device and DIR."
        })
public final class DeviceCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ConnectionOptions connection;

    @Option(
            names = "--instance-id",
            paramLabel = "ID",
            description =
                    "New public / Enterprise instance; the host is ID.mqtt.iothub.aliyuncs.com. Ignored with --host.")
    String instanceId;

    @Mixin DeviceConsole console;

    @Override
    public Integer call() {
        AliyunDeviceIdentity identity;
        MqttClientOptions clientOptions;
        AliyunDeviceOptions deviceOptions;
        try {
            identity = console.identity();
            clientOptions = clientOptions(identity);
            deviceOptions = console.deviceOptions();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        MqttClientResources resources = MqttClientResources.create(1);
        try {
            NettyMqttLink link;
            try {
                link = NettyMqttLink.create(clientOptions, resources);
            } catch (OutboxException e) {
                spec.commandLine().getErr().println("thingflux device: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
            AliyunDevice device = AliyunDevice.create(link, identity, deviceOptions);
            return console.run(device, "to " + clientOptions.host() + ":" + clientOptions.port());
        } finally {
            resources.disposeLater().block(FailureReason.CLOSE_TIMEOUT);
        }
    }

    MqttClientOptions clientOptions(AliyunDeviceIdentity identity) {
        if (console.region != null && instanceId != null) {
            throw new IllegalArgumentException("give either --region or --instance-id, not both");
        }
        boolean tls = connection.tls();
        String host = connection.host;
        if (host == null) {
            host =
                    instanceId != null
                            ? AliyunEndpoints.instanceHost(instanceId)
                            : console.legacyHost(identity);
        }
        int port =
                connection.port(
                        tls && instanceId != null
                                ? AliyunEndpoints.PORT_TLS
                                : AliyunEndpoints.PORT_TCP);
        MqttClientOptions.Builder b =
                MqttClientOptions.builder(host, port)
                        .tls(connection.tlsOptions())
                        .webSocket(connection.webSocketOptions())
                        .proxy(connection.proxyOptions())
                        .aliyun(identity, console.signer(tls));
        return b.outboxStorage(console.outboxStorage()).build();
    }
}
