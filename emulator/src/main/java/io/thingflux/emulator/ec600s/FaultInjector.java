package io.thingflux.emulator.ec600s;

/**
 * The faults a test can inject into the emulated module: reboots (now, or in the middle of the next
 * publish), a broken MQTT link ({@code +QMTSTAT}; after a PINGREQ failure also a stale PDP
 * context), a deactivated PDP context, raw bytes on the line, prompts split across writes and a
 * module that stops answering. Each is applied on the module thread, in order with the host's
 * commands.
 */
final class FaultInjector {

    private final AtInterpreter module;
    private final HostChannel line;

    FaultInjector(AtInterpreter module, HostChannel line) {
        this.module = module;
        this.line = line;
    }

    /** The module reboots: MQTT and PDP state are lost, echo is on again, {@code RDY} is sent. */
    void reboot() {
        line.execute(module::reboot);
    }

    /**
     * The module reboots in the middle of the next publish: it takes the command and the whole
     * payload, then reboots ({@code RDY}) before answering, and the message never reaches the
     * broker.
     */
    void rebootOnNextPublish() {
        line.execute(module::rebootOnNextPublish);
    }

    /**
     * The MQTT link of client {@code idx} breaks with {@code +QMTSTAT: idx,code}. Code 2 (PINGREQ
     * failed) also leaves the PDP context stale ({@link AtInterpreter#pdpDataPathLost()}): the
     * reference's host action for it is to deactivate and reactivate the context before reopening,
     * so {@code AT+QMTOPEN} fails until that is done.
     */
    void injectQmtStat(int idx, int code) {
        line.execute(
                () -> {
                    module.client(idx).drop();
                    if (code == 2) {
                        module.pdpDataPathLost();
                    }
                    line.sendLine("+QMTSTAT: " + idx + "," + code);
                });
    }

    /**
     * The PDP context goes stale without a word, as after a PINGREQ failure: {@code AT+QMTOPEN}
     * fails with result 3 until the context is deactivated and activated again.
     */
    void losePdpDataPath() {
        line.execute(module::pdpDataPathLost);
    }

    /**
     * The network deactivates the PDP context: every MQTT client is dropped, {@code +QIURC:
     * "pdpdeact",1}.
     */
    void deactivatePdp() {
        line.execute(
                () -> {
                    module.deactivatePdp();
                    line.sendLine("+QIURC: \"pdpdeact\",1");
                });
    }

    /** Writes raw bytes (garbage, a hand-made URC) to the host. */
    void sendRaw(byte[] bytes) {
        byte[] copy = bytes.clone();
        line.execute(() -> line.send(copy));
    }

    /**
     * Writes the {@code > } prompt as three separate writes ({@code \r\n}, {@code >}, space) when
     * on.
     */
    void splitPrompts(boolean on) {
        line.execute(() -> module.splitPrompts(on));
    }

    /** While on, commands are read but never answered. */
    void silence(boolean on) {
        line.execute(() -> module.silence(on));
    }
}
