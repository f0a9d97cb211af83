package dev.reprocess.bench;

import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/** What every selection case does the same way: read a shard, read items in parallel, repeat, check counts. */
final class Reads {
  private Reads() {}

  /**
   * Over every {@link #inParallel} read since the last {@link #takeIdleTail}: the reading threads'
   * time between their own end and the last one's, and their time from the start to the last one's
   * end. Their quotient is the share of the threads' time lost to the tail (uneven shards).
   */
  private static final LongAdder IDLE_TAIL_NANOS = new LongAdder();
  private static final LongAdder THREAD_NANOS = new LongAdder();

  /** The variant being measured, in the reading threads' names, so that a profile can tell variants apart. */
  private static volatile String variant = "read";

  static void variant(String name) {
    variant = name;
  }

  /** The idle-tail share since the last call (0 when nothing ran in parallel), and resets it. */
  static double takeIdleTail() {
    long idle = IDLE_TAIL_NANOS.sumThenReset();
    long all = THREAD_NANOS.sumThenReset();
    return all == 0 ? 0 : (double) idle / all;
  }

  /**
   * Every page of one shard through its paginator, as the engine reads it; folds every id into
   * {@code checksum} (so the JIT cannot drop the reads) and calls {@code afterPage} after each
   * page, on the reading thread. Returns the number of ids read.
   */
  static long readShard(AssetSelector selector, Shard shard, int pageSize, LongAdder checksum,
      BiConsumer<Paginator, Page> afterPage) {
    long count = 0;
    long sum = 0;
    try (Paginator p = selector.open(shard, null, pageSize)) {
      Page page;
      do {
        page = p.nextPage();
        for (AssetRef ref : page.assets()) {
          sum += ref.assetId().length();
        }
        count += page.size();
        afterPage.accept(p, page);
      } while (!page.last());
    }
    checksum.add(sum);
    return count;
  }

  /**
   * Runs a read again and again until at least {@code minNanos} passed (a whole Cassandra read with
   * 8 shards takes about 2 s on 2 cores, too short to rise above the machine's noise), checks that
   * every read returned {@code expected}, and returns units per second over all of them.
   */
  static double repeated(long minNanos, String what, long expected, LongSupplier read) {
    long t0 = System.nanoTime();
    long ids = 0;
    do {
      long n = read.getAsLong();
      check(what, n, expected);
      ids += n;
    } while (System.nanoTime() - t0 < minNanos);
    return ids / Stats.seconds(t0);
  }

  /**
   * For a read that times itself (e.g. from its first record to its last, leaving a consumer
   * group's join out): runs it again and again until its timed parts add up to at least {@code
   * minNanos}, and returns units per second over those parts. Each pass handles {@code units} units
   * (the pass checks its own count) and returns its timed nanoseconds.
   */
  static double repeatedTimed(long minNanos, long units, LongSupplier timedPassNanos) {
    long nanos = 0;
    long done = 0;
    do {
      nanos += timedPassNanos.getAsLong();
      done += units;
    } while (nanos < minNanos);
    return done / (nanos / 1e9);
  }

  /** Reads the items with {@code parallel} threads, each taking the next one when done. */
  static <T> long inParallel(List<T> items, int parallel, ToLongFunction<T> read) {
    if (parallel == 1) {
      long total = 0;
      for (T item : items) {
        total += read.applyAsLong(item);
      }
      return total;
    }
    ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>(items);
    String name = variant;
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(parallel,
        r -> new Thread(r, name + " #" + threads.incrementAndGet()));
    long[] finished = new long[parallel];
    long t0 = System.nanoTime();
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        int thread = i;
        results.add(pool.submit(() -> {
          long total = 0;
          for (T item = queue.poll(); item != null; item = queue.poll()) {
            total += read.applyAsLong(item);
          }
          finished[thread] = System.nanoTime();
          return total;
        }));
      }
      long total = 0;
      for (Future<Long> f : results) {
        total += f.get();
      }
      long last = 0;
      for (long f : finished) {
        last = Math.max(last, f);
      }
      for (long f : finished) {
        IDLE_TAIL_NANOS.add(last - f);
      }
      THREAD_NANOS.add(parallel * (last - t0));
      return total;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Fails unless a variant read exactly the table's assets. */
  static void check(String what, long read, long expected) {
    if (read != expected) {
      throw new IllegalStateException(what + " read " + read + " ids, expected " + expected);
    }
  }
}
