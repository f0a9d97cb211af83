package dev.reprocess.deadletter;

import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.json.EventJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each dead letter at WARN on the logger {@code dev.reprocess.deadletter}: the job, the
 * asset, the attempts and the error on one line, then the event as JSON ({@link EventJson}) so it
 * can be replayed from the log. Keeps nothing in memory. The default dead-letter sink of a job.
 * Thread-safe; durable as far as the logging backend is.
 */
public final class LoggingDeadLetterSink implements DeadLetterSink {

  private static final Logger LOG = LoggerFactory.getLogger("dev.reprocess.deadletter");

  @Override
  public void accept(DeadLetter d) {
    LOG.warn("job '{}': asset {} dead-lettered after {} attempt(s): {}: {}; event {}",
        d.event().jobName(), d.event().assetId(), d.attempts(), d.errorClass(), d.errorMessage(),
        EventJson.toJson(d.event()));
  }

  @Override
  public String describe() {
    return "log (logger dev.reprocess.deadletter, WARN)";
  }
}
