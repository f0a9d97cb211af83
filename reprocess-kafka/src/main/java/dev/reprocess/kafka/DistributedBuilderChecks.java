package dev.reprocess.kafka;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.ReprocessJob;
import dev.reprocess.kafka.internal.DistributedSettings;
import java.time.Duration;
import java.util.function.Consumer;

/** The checks of {@link DistributedJob.Builder#build()} on its own options (not the connection's). */
final class DistributedBuilderChecks {
  private DistributedBuilderChecks() {}

  static void check(String name, AssetSelector selector, CheckpointStore store, Consumer<ReprocessJob.Builder> jobOptions,
      int partitions, int replicationFactor, int shardsInParallel, int shardsPerRecord, Duration stopTimeout,
      Duration apiTimeout, Duration publishTimeout) {
    if (name == null || !name.matches(ReprocessJob.NAME_PATTERN) || name.length() > DistributedSettings.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name is '" + name + "': it must match " + ReprocessJob.NAME_PATTERN
          + " and be at most " + DistributedSettings.MAX_NAME_LENGTH + " characters (its host and partition jobs' names add up to 16)");
    }
    required("selector", selector);
    required("checkpointStore", store);
    required("jobOptions", jobOptions);
    range("partitions", partitions, 1, 10_000);
    range("replicationFactor", replicationFactor, 0, Short.MAX_VALUE);
    range("shardsInParallel", shardsInParallel, 1, ReprocessJob.MAX_SHARDS_IN_PARALLEL);
    range("shardsPerRecord", shardsPerRecord, 1, DistributedJob.MAX_SHARDS_PER_RECORD);
    duration("stopTimeout", stopTimeout, Duration.ofMinutes(5));
    duration("apiTimeout", apiTimeout, Duration.ofHours(1));
    duration("publishTimeout", publishTimeout, Duration.ofHours(1));
  }

  private static void required(String option, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " is null: a distributed job requires it");
    }
  }

  private static void range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(option + " is " + value + ": it must be " + min + " to " + max);
    }
  }

  /** Refuses a null, zero, negative or over-{@code max} duration, naming the option. */
  static void duration(String option, Duration value, Duration max) {
    if (value == null || value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(option + " is " + value + ": it must be positive and at most " + max);
    }
  }
}
