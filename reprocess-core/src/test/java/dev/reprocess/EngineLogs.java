package dev.reprocess;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what the library logs under {@code dev.reprocess} while a piece of test code runs. */
final class EngineLogs {
  private EngineLogs() {}

  /**
   * Runs {@code run} with the {@code dev.reprocess} loggers at TRACE (per-event logs included), kept
   * off the console, and returns what they logged; the levels and appenders are restored after.
   */
  static List<ILoggingEvent> capture(Runnable run) {
    Logger root = (Logger) LoggerFactory.getLogger("dev.reprocess");
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.TRACE);
    root.setAdditive(false);
    try {
      run.run();
    } finally {
      root.setAdditive(true);
      root.detachAppender(appender);
      root.setLevel(before);
    }
    return appender.list;
  }
}
