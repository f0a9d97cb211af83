package dev.reprocess;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a job would select, from {@link ReprocessJob#count()}: a dry run that reads the selection
 * and delivers nothing. Immutable.
 *
 * @param jobName the job
 * @param selector the selector's {@link AssetSelector#describe()}
 * @param total assets selected, the sum of {@code perShard}
 * @param perShard assets per shard id, in the selector's shard order; every shard of the
 *     selection is present (0 for an empty shard); unmodifiable
 * @param elapsed from the first {@link AssetSelector#shards()} call to the last shard counted, by
 *     the job's clock
 */
public record SelectionCount(String jobName, String selector, long total, Map<String, Long> perShard,
    Duration elapsed) {

  public SelectionCount {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(elapsed, "elapsed");
    perShard = Collections.unmodifiableMap(new LinkedHashMap<>(perShard));
  }

  /** The number of shards counted. */
  public int shards() {
    return perShard.size();
  }

  /** Whether the selection is empty: nothing would be delivered. */
  public boolean nothingSelected() {
    return total == 0;
  }

  @Override
  public String toString() {
    return "SelectionCount[job=" + jobName + ", selector=" + selector + ", total=" + total
        + ", shards=" + perShard.size() + ", elapsed=" + elapsed + "]";
  }
}
