package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.ReprocessException;
import dev.reprocess.SelectionCount;
import dev.reprocess.Shard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * A dry run: counts what a job would select, shard by shard, {@code shardsInParallel} at a time,
 * with the selector's {@link AssetSelector#count}. It opens no sink, delivers nothing, and never
 * touches the checkpoint store or the dead-letter sink: a dry run neither reads nor writes
 * checkpoints, so it counts the whole selection whatever a real run has done. Progress: a log line
 * per shard (INFO) and the running total every {@link #PROGRESS_EVERY} (INFO), the listeners'
 * {@code onShardCounted}.
 *
 * <p>One instance counts once, on the calling thread plus {@code shardsInParallel} daemon threads
 * ({@code reprocess-<job>-count-N}).
 */
public final class SelectionCounter {

  /** How often the running total is logged, by the job's clock. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private static final Logger LOG = RunContext.LOG;

  private final JobSpec spec;
  private final String prefix;
  private final AtomicLong total = new AtomicLong();
  private final AtomicInteger shardsDone = new AtomicInteger();
  private final AtomicReference<Instant> lastProgress = new AtomicReference<>();

  public SelectionCounter(JobSpec spec) {
    this.spec = spec;
    this.prefix = spec.logPrefix();
  }

  /**
   * Counts the selection; closes the selector at the end, as a run does.
   *
   * @throws IllegalArgumentException if the selector rejects its configuration, or the shards break
   *     a job's limits ({@code maxShards}, unique ids)
   * @throws ReprocessException if a shard cannot be read, naming the shard
   */
  public SelectionCount count() {
    AssetSelector selector = spec.selector();
    Instant start = spec.clock().instant();
    lastProgress.set(start);
    try {
      LOG.info("{}dry run: counting the selection of {}; nothing is delivered or checkpointed", prefix,
          selector.describe());
      List<Shard> shards = selector.shards();
      ShardChecks.check(spec, shards);
      Map<String, Long> perShard = countShards(selector, shards);
      SelectionCount result = new SelectionCount(spec.name(), selector.describe(), total.get(), perShard,
          Duration.between(start, spec.clock().instant()));
      if (result.nothingSelected()) {
        LOG.warn("{}{}", prefix, NothingSelected.warning(spec, shards.size()));
      }
      LOG.info("{}dry run: {} assets in {} shards, in {}", prefix, result.total(), result.shards(),
          result.elapsed());
      return result;
    } finally {
      try {
        selector.close();
      } catch (RuntimeException e) {
        LOG.warn("{}closing selector {} failed: {}", prefix, selector.describe(), e.toString());
      }
    }
  }

  private Map<String, Long> countShards(AssetSelector selector, List<Shard> shards) {
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(spec.shardsInParallel(), shards.size())),
        r -> {
          Thread t = new Thread(r, "reprocess-" + spec.name() + "-count-" + threadNo.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    try {
      List<CompletableFuture<Long>> counts = new ArrayList<>(shards.size());
      for (Shard shard : shards) {
        counts.add(CompletableFuture.supplyAsync(() -> countShard(selector, shard, shards.size()), pool));
      }
      Map<String, Long> perShard = new LinkedHashMap<>();
      for (int i = 0; i < shards.size(); i++) {
        perShard.put(shards.get(i).id(), join(counts.get(i)));
      }
      return perShard;
    } finally {
      pool.shutdownNow();
    }
  }

  private long countShard(AssetSelector selector, Shard shard, int shardCount) {
    long count;
    try {
      count = selector.count(shard, spec.pageSize());
    } catch (RuntimeException e) {
      throw new ReprocessException(prefix + "dry run: shard " + shard.id() + " could not be counted: "
          + e.getMessage(), e);
    }
    long sum = total.addAndGet(count);
    int done = shardsDone.incrementAndGet();
    LOG.info("{}dry run: shard {} holds {} assets ({} of {} shards counted)", prefix, shard.id(), count, done,
        shardCount);
    RunContext.fire(spec, l -> l.onShardCounted(spec.name(), shard, count));
    logProgress(sum, done, shardCount);
    return count;
  }

  /** The running total, at most once per {@link #PROGRESS_EVERY}, from whichever shard thread gets there. */
  private void logProgress(long sum, int done, int shardCount) {
    Instant now = spec.clock().instant();
    Instant last = lastProgress.get();
    if (Duration.between(last, now).compareTo(PROGRESS_EVERY) >= 0 && lastProgress.compareAndSet(last, now)) {
      LOG.info("{}dry run: {} assets so far, {} of {} shards counted", prefix, sum, done, shardCount);
    }
  }

  private static long join(CompletableFuture<Long> count) {
    try {
      return count.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }
}
