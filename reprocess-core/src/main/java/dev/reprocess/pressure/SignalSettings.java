package dev.reprocess.pressure;

import java.time.Duration;
import java.util.Objects;

/** The checks the signals' builders share, with their messages (the value and the rule). */
final class SignalSettings {

  private SignalSettings() {}

  /**
   * A percentile, 0 &lt; p &lt; 1.
   *
   * @throws IllegalArgumentException naming the value and the rule otherwise
   */
  static double percentile(double percentile) {
    if (!(percentile > 0 && percentile < 1)) {
      throw new IllegalArgumentException("percentile is " + percentile
          + ": it must be between 0 and 1 exclusive, e.g. 0.99 for the p99");
    }
    return percentile;
  }

  /**
   * A sampling interval, 10 ms to 1 min.
   *
   * @throws IllegalArgumentException naming the value and the rule otherwise
   */
  static Duration interval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("interval is " + interval + ": it must be 10 ms to 1 min");
    }
    return interval;
  }
}
