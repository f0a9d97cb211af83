package dev.reprocess.kafka;

import dev.reprocess.internal.Quote;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** Option checks shared by the builders of this package. */
final class Options {
  private Options() {}

  static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " is " + value + ": it must be a positive duration");
    }
    return value;
  }

  static Duration nonNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " is " + value + ": it must be zero or a positive duration");
    }
    return value;
  }

  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " is " + value + ": it must be at least " + min);
    }
    return value;
  }

  static String topic(String name, String value) {
    if (value == null || !value.matches("[A-Za-z0-9._-]{1,249}") || value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(
          name + " is '" + Quote.abbreviate(value) + "': it must be a topic name, 1 to 249 characters of [A-Za-z0-9._-]");
    }
    return value;
  }

  static String text(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is '" + Quote.abbreviate(value) + "': it must be a non-blank string");
    }
    return value;
  }

  static MeterRegistry meterRegistry(MeterRegistry value) {
    if (value == null) {
      throw new IllegalArgumentException("meterRegistry is null: pass a registry, or do not call meterRegistry for"
          + " Metrics.globalRegistry");
    }
    return value;
  }
}
