package dev.reprocess.bench;

import dev.reprocess.AssetRef;
import dev.reprocess.BatchEventHandler;
import dev.reprocess.EventHandler;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.testing.InMemorySelector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Case 7, no server: what the engine costs per event. A {@link ReprocessJob} with its default
 * options pushes {@code --assets} in-memory ids ({@link InMemorySelector#generated}, 4 shards,
 * made on the fly) through a no-op handler; the baselines are plain loops over the same ids that
 * build an event and call the same handler directly, one with {@link ReprocessEvent#of} (a
 * {@code SecureRandom} event id) and one making event ids the way the engine does ({@code
 * ThreadLocalRandom}, the baseline of the ratio). The cost per event is {@code 1 / engine - 1 /
 * loop} on the medians. A variant runs the same job with a {@link BatchEventHandler} (batches of up
 * to {@value #BATCH_SIZE}, {@value #BATCH_CONCURRENCY} events in flight). Like a Cassandra read, each measurement repeats its variant until {@code
 * --min-seconds} passed.
 */
final class EngineCase {
  private static final String LOOP = "plain loop, engine's event ids";
  private static final String LOOP_OF = "plain loop, ReprocessEvent.of";
  private static final String ENGINE = "ReprocessJob, no-op handler";
  private static final String ENGINE_BATCH = "ReprocessJob, no-op batch handler";
  /** The batch variant's events in flight and largest batch. */
  private static final int BATCH_CONCURRENCY = 1_000;
  private static final int BATCH_SIZE = 100;

  private EngineCase() {}

  static void run(Options o, Results results) throws Exception {
    int assets = o.assets;
    LongAdder handled = new LongAdder();
    EventHandler noop = event -> {
      handled.increment();
      return Outcome.SUCCEEDED;
    };
    long minNanos = (long) (o.minSeconds * 1e9);
    AtomicInteger jobs = new AtomicInteger();
    Rounds rounds = new Rounds("engine");
    rounds.add(LOOP, r -> Reads.repeated(minNanos, LOOP, assets,
        () -> checked(LOOP, handled, () -> engineIdLoop(assets, noop))));
    rounds.add(LOOP_OF, r -> Reads.repeated(minNanos, LOOP_OF, assets,
        () -> checked(LOOP_OF, handled, () -> ofLoop(assets, noop))));
    rounds.add(ENGINE, r -> Reads.repeated(minNanos, ENGINE, assets,
        () -> checked(ENGINE, handled, () -> engine(assets, noop, "bench-engine-" + jobs.incrementAndGet()))));
    LongAdder batchCalls = new LongAdder();
    LongAdder batchEvents = new LongAdder();
    BatchEventHandler noopBatch = events -> {
      handled.add(events.size());
      batchCalls.increment();
      batchEvents.add(events.size());
      return null;
    };
    rounds.add(ENGINE_BATCH, r -> Reads.repeated(minNanos, ENGINE_BATCH, assets,
        () -> checked(ENGINE_BATCH, handled, () -> engineBatch(assets, noopBatch,
            "bench-engine-batch-" + jobs.incrementAndGet()))));
    rounds.run(o.warmups, o.runs);

    String c = String.format("7. Engine overhead, %,d in-memory ids, job defaults, no server", assets);
    results.addRate(c, "plain loop: event built with the engine's id generator, handler called (baseline)", rounds,
        LOOP, "events/s", 1.0, null);
    results.addRate(c, "plain loop: ReprocessEvent.of (SecureRandom event id), handler called", rounds, LOOP_OF,
        "events/s", rounds.ratio(LOOP_OF, LOOP), null);
    results.addRate(c, "ReprocessJob -> in-process no-op handler", rounds, ENGINE, "events/s",
        rounds.ratio(ENGINE, LOOP), null);
    results.add(c, "engine cost per event (1 / engine - 1 / loop, medians)",
        1e6 / rounds.median(ENGINE) - 1e6 / rounds.median(LOOP), "us/event", null, null);
    String batch = String.format("ReprocessJob -> in-process no-op batch handler (concurrency %,d, batches of up to %d)",
        BATCH_CONCURRENCY, BATCH_SIZE);
    results.addRate(c, batch, rounds, ENGINE_BATCH, "events/s", rounds.ratio(ENGINE_BATCH, LOOP), null);
    results.add(c, "engine cost per event with the batch handler (medians)",
        1e6 / rounds.median(ENGINE_BATCH) - 1e6 / rounds.median(LOOP), "us/event", null, null);
    for (String variant : List.of(LOOP, ENGINE, ENGINE_BATCH)) {
      results.addCpu(c, variant, rounds, "event", "");
    }
    results.add(c, "batch handler: events per call, mean over every round (incl. warm-ups)",
        (double) batchEvents.sum() / Math.max(1, batchCalls.sum()), "events/call", null, null);
  }

  @FunctionalInterface
  private interface Pass {
    long run() throws Exception;
  }

  /** Runs one pass over the ids and returns how many events it handled, checking the handler saw each once. */
  private static long checked(String name, LongAdder handled, Pass pass) {
    handled.reset();
    long events;
    try {
      events = pass.run();
    } catch (Exception e) {
      throw new IllegalStateException(name + " failed", e);
    }
    Reads.check(name + " (handler calls)", handled.sum(), events);
    return events;
  }

  private static long ofLoop(int n, EventHandler handler) throws Exception {
    Shard shard = Shard.of("mem-0", null);
    for (int i = 0; i < n; i++) {
      handler.handle(ReprocessEvent.of("plain", shard, AssetRef.of("a-" + i, null), Instant.now()));
    }
    return n;
  }

  /** The same loop, event ids made the way the engine makes them (ThreadLocalRandom, not SecureRandom). */
  private static long engineIdLoop(int n, EventHandler handler) throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Clock clock = Clock.systemUTC();
    for (int i = 0; i < n; i++) {
      String id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
          (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L).toString();
      handler.handle(new ReprocessEvent(id, "plain", "a-" + i, null, "mem-0", 1, clock.instant(), Map.of()));
    }
    return n;
  }

  private static long engineBatch(int n, BatchEventHandler handler, String name) {
    InMemorySelector selector = InMemorySelector.generated(n, i -> AssetRef.of("a-" + i, null), 4);
    JobReport report = ReprocessJob.builder(name)
        .selector(selector)
        .concurrency(BATCH_CONCURRENCY)
        .batchHandler(handler, BATCH_SIZE)
        .meterRegistry(new SimpleMeterRegistry())
        .build()
        .run()
        .throwIfFailed();
    return report.succeeded();
  }

  private static long engine(int n, EventHandler handler, String name) {
    InMemorySelector selector = InMemorySelector.generated(n, i -> AssetRef.of("a-" + i, null), 4);
    JobReport report = ReprocessJob.builder(name)
        .selector(selector)
        .handler(handler)
        .meterRegistry(new SimpleMeterRegistry())
        .build()
        .run()
        .throwIfFailed();
    return report.succeeded();
  }
}
