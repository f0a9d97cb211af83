package dev.reprocess;

import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Waiting on conditions in tests: polls every 2 ms, gives up after 30 s. Never waits for time. */
final class Waits {
  private Waits() {}

  static ConditionFactory await() {
    return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .atMost(Duration.ofSeconds(30));
  }

  /**
   * Whether a job's shard reader ({@code reprocess-<job>-shard-N}) is parked (WAITING) inside
   * {@code className.method}: a condition a test waits for instead of hoping a thread got there.
   */
  static boolean readerWaitsIn(String job, String className, String method) {
    for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
      if (t.getKey().getName().startsWith("reprocess-" + job + "-shard-")
          && t.getKey().getState() == Thread.State.WAITING) {
        for (StackTraceElement frame : t.getValue()) {
          if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
