package io.thingflux.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.ConnectReturnCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

/**
 * Every client log line names the client id; no secret (device secret, signed password) appears in
 * any.
 */
class SecretsNeverLoggedTest extends ClientTestSupport {

    @Test
    void logsNameTheClientAndNeverContainTheSecretOrPassword() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("io.thingflux.netty.client");
        Level before = logger.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        try {
            AliyunDeviceIdentity device =
                    new AliyunDeviceIdentity("a1pk", "dev9", "TopSecretDeviceKey");
            String password = AliyunSigner.defaults().sign(device).password();
            MqttClient client = client(options().aliyun(device, AliyunSigner.defaults()));
            ScriptedBroker.Connection c = connect(client, false);
            c.close(); // lost: reconnect attempts are logged
            ScriptedBroker.Connection again = broker.awaitConnection();
            again.expect(Connect.class);
            again.send(ConnAck.refused(ConnectReturnCode.NOT_AUTHORIZED));
            StepVerifier.create(
                            client.states()
                                    .filter(s -> s == io.thingflux.link.LinkState.CLOSED)
                                    .take(1))
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(WAIT);

            List<String> lines =
                    appender.list.stream()
                            .map(
                                    e ->
                                            e.getFormattedMessage()
                                                    + (e.getThrowableProxy() == null
                                                            ? ""
                                                            : " "
                                                                    + e.getThrowableProxy()
                                                                            .getMessage()))
                            .toList();
            assertThat(lines)
                    .hasSizeGreaterThanOrEqualTo(3)
                    .allMatch(
                            l -> l.contains(client.options().name()) && l.contains("a1pk.dev9"),
                            "names the client")
                    .noneMatch(l -> l.contains("TopSecretDeviceKey"))
                    .noneMatch(l -> l.contains(password));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }
}
