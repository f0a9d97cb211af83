package dev.reprocess;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Waiting on conditions in tests: polls every 2 ms, gives up after 30 s. Never waits for time. */
final class Waits {
  private Waits() {}

  static ConditionFactory await() {
    return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .atMost(Duration.ofSeconds(30));
  }
}
