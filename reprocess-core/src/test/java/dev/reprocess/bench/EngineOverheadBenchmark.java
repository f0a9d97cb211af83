package dev.reprocess.bench;

import dev.reprocess.AssetRef;
import dev.reprocess.EventHandler;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.testing.InMemorySelector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures what the engine costs per event: pushes N in-memory assets through a no-op handler
 * with the job's default options (pages of 500, 4 shards in parallel, 16 in flight), and compares
 * the rate with a plain loop over the same ids building the same events and calling the same
 * handler directly. Then compares the heap used for 100k and 1M assets.
 *
 * <p>Not a unit test (not run by surefire). Run on demand:
 *
 * <pre>
 * mvn -B -q -pl reprocess-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xms256m -Xmx256m -cp reprocess-core/target/classes:reprocess-core/target/test-classes:$(cat reprocess-core/target/bench.cp) \
 *     dev.reprocess.bench.EngineOverheadBenchmark [assets=1000000] [rounds=3]
 * </pre>
 *
 * <p>The selector generates ids on the fly ({@link InMemorySelector#generated}), so the heap
 * figures are the engine's, not the id list's. "Heap after GC" is the largest heap occupancy seen
 * right after a collection while the job ran (the live set); "peak heap" is the pools' peak usage,
 * garbage included, so it mostly reflects the young generation's size.
 */
public final class EngineOverheadBenchmark {

  private EngineOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int assets = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.out.printf(Locale.ROOT, "JVM %s, %d cores, max heap %d MiB%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    LongAdder handled = new LongAdder();
    EventHandler noop = event -> {
      handled.increment();
      return Outcome.SUCCEEDED;
    };

    // Warm up both paths.
    plainLoop(200_000, noop);
    cheapIdLoop(200_000, noop);
    engine(200_000, noop, "warmup");

    double bestLoop = 0;
    double bestEngine = 0;
    for (int r = 1; r <= rounds; r++) {
      double loop = plainLoop(assets, noop);
      double cheap = cheapIdLoop(assets, noop);
      handled.reset();
      Run run = engine(assets, noop, "bench-" + r);
      if (handled.sum() != assets) {
        throw new IllegalStateException("handler saw " + handled.sum() + " events, expected " + assets);
      }
      System.out.printf(Locale.ROOT, "round %d: plain loop (ReprocessEvent.of) %,.0f events/s, plain loop (engine's event ids) %,.0f events/s, engine %,.0f events/s%n",
          r, loop, cheap, run.rate);
      bestLoop = Math.max(bestLoop, cheap);
      bestEngine = Math.max(bestEngine, run.rate);
    }
    System.out.printf(Locale.ROOT, "best of %d: plain loop %,.0f events/s, engine %,.0f events/s: engine/loop = %.2f, engine cost %.2f us/event%n",
        rounds, bestLoop, bestEngine, bestEngine / bestLoop, 1e6 / bestEngine - 1e6 / bestLoop);

    for (int n : new int[] {100_000, 1_000_000}) {
      Run run = engine(n, noop, "heap-" + n);
      System.out.printf(Locale.ROOT, "%,9d assets: heap after GC max %,d KiB, peak heap %,d KiB, %,.0f events/s%n",
          n, run.liveAfterGcBytes >> 10, run.peakBytes >> 10, run.rate);
    }
  }

  private static double plainLoop(int n, EventHandler handler) throws Exception {
    Shard shard = Shard.of("mem-0", null);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ReprocessEvent event = ReprocessEvent.of("plain", shard, AssetRef.of("a-" + i, null), Instant.now());
      handler.handle(event);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** The same loop, with event ids made the way the engine makes them (ThreadLocalRandom, not SecureRandom). */
  private static double cheapIdLoop(int n, EventHandler handler) throws Exception {
    long start = System.nanoTime();
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    java.time.Clock clock = java.time.Clock.systemUTC();
    for (int i = 0; i < n; i++) {
      String id = new java.util.UUID((r.nextLong() & ~0xF000L) | 0x4000L,
          (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
      ReprocessEvent event = new ReprocessEvent(id, "plain", "a-" + i, null, "mem-0", 1, clock.instant(), java.util.Map.of());
      handler.handle(event);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  record Run(double rate, long peakBytes, long liveAfterGcBytes) {}

  private static Run engine(int n, EventHandler handler, String name) throws Exception {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    AtomicLong maxAfterGc = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long afterGc = 0;
        for (MemoryPoolMXBean p : heap) {
          if (p.getCollectionUsage() != null) {
            afterGc += p.getCollectionUsage().getUsed();
          }
        }
        maxAfterGc.accumulateAndGet(afterGc, Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    InMemorySelector selector = InMemorySelector.generated(n, i -> AssetRef.of("a-" + i, null), 4);
    long start = System.nanoTime();
    JobReport report = ReprocessJob.builder(name)
        .selector(selector)
        .handler(handler)
        .meterRegistry(new SimpleMeterRegistry())
        .build()
        .run();
    double rate = n / ((System.nanoTime() - start) / 1e9);
    sampler.interrupt();
    sampler.join();
    if (report.status() != JobStatus.COMPLETED || report.succeeded() != n) {
      throw new IllegalStateException("engine run failed: " + report);
    }
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Run(rate, peak, maxAfterGc.get());
  }
}
