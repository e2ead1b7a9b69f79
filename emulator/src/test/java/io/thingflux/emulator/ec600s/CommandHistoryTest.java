package io.thingflux.emulator.ec600s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The emulator's command history: bounded, oldest dropped first, secrets masked even when they
 * break the quoting.
 */
class CommandHistoryTest {

    @Test
    void keepsTheLastLinesOldestFirst() {
        CommandHistory h = new CommandHistory(2);
        h.add("AT");
        h.add("ATE0");
        h.add("AT+CPIN?");
        assertThat(h.snapshot()).containsExactly("ATE0", "AT+CPIN?");
        h.clear();
        assertThat(h.snapshot()).isEmpty();
    }

    @Test
    void masksThePasswordsAndTheDeviceSecret() {
        assertThat(CommandHistory.masked("AT+QMTCONN=0,\"dev\",\"user\",\"pwd\""))
                .isEqualTo("AT+QMTCONN=0,\"dev\",\"user\",\"***\"");
        assertThat(CommandHistory.masked("at+qmtconn=0,\"dev\",\"user\",\"pwd\""))
                .isEqualTo("at+qmtconn=0,\"dev\",\"user\",\"***\"");
        assertThat(CommandHistory.masked("AT+QMTCONN=0,\"dev\"")).isEqualTo("AT+QMTCONN=0,\"dev\"");
        assertThat(CommandHistory.masked("AT+QMTCFG=\"aliauth\",0,\"pk\",\"dn\",\"secret\""))
                .isEqualTo("AT+QMTCFG=\"aliauth\",0,\"pk\",\"dn\",\"***\"");
        assertThat(CommandHistory.masked("AT+QICSGP=1,1,\"apn\",\"u\",\"pwd\",1"))
                .isEqualTo("AT+QICSGP=1,1,\"apn\",\"u\",\"***\",1");
        assertThat(CommandHistory.masked("AT+QICSGP=1,1,\"apn\",\"u\",\"pwd\""))
                .isEqualTo("AT+QICSGP=1,1,\"apn\",\"u\",\"***\"");
        assertThat(CommandHistory.masked("AT+QMTCFG=\"version\",0,4"))
                .isEqualTo("AT+QMTCFG=\"version\",0,4");
    }

    @Test
    void aSecretThatBreaksTheQuotingDoesNotShow() {
        assertThat(CommandHistory.masked("AT+QMTCONN=0,\"dev\",\"user\",\"se\",\"cret\""))
                .isEqualTo("AT+QMTCONN=0,\"dev\",\"user\",\"***\"");
        assertThat(CommandHistory.masked("AT+QICSGP=1,1,\"apn\",\"u\",\"se\",\"cret\",1"))
                .isEqualTo("AT+QICSGP=1,1,\"apn\",\"u\",\"***\",1");
        assertThat(CommandHistory.masked("AT+QMTCONN=0,\"dev\",\"user\",\"se\"cret\""))
                .isEqualTo("AT+QMTCONN=...")
                .doesNotContain("cret");
    }
}
