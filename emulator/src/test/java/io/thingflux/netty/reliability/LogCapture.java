package io.thingflux.netty.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of the given loggers at TRACE, with message, arguments and stack traces
 * rendered as text, and keeps them off the console while capturing.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Logger> loggers = new CopyOnWriteArrayList<>();
    private final List<Level> previousLevels = new CopyOnWriteArrayList<>();
    private final List<Boolean> previousAdditivity = new CopyOnWriteArrayList<>();

    LogCapture(String... loggerNames) {
        setName("capture");
        start();
        for (String name : loggerNames) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            loggers.add(logger);
            previousLevels.add(logger.getLevel());
            previousAdditivity.add(logger.isAdditive());
            logger.setLevel(Level.TRACE);
            logger.setAdditive(false);
            logger.addAppender(this);
        }
    }

    @Override
    protected void append(ILoggingEvent e) {
        StringBuilder s =
                new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
            s.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        lines.add(s.toString());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger logger = loggers.get(i);
            logger.detachAppender(this);
            logger.setLevel(previousLevels.get(i));
            logger.setAdditive(previousAdditivity.get(i));
        }
        stop();
    }
}
