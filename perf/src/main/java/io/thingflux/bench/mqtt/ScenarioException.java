package io.thingflux.bench.mqtt;

/** A scenario file that cannot run; the message names the file and the line. */
public final class ScenarioException extends RuntimeException {

    private final int line;

    public ScenarioException(String source, int line, String message) {
        super(source + (line > 0 ? " line " + line : "") + ": " + message);
        this.line = line;
    }

    /** The line (from 1) the problem is on, or 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}
