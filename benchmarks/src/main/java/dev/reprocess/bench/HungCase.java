package dev.reprocess.bench;

import dev.reprocess.AssetRef;
import dev.reprocess.EventHandler;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.testing.InMemorySelector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Case 11 (issue 18 item 6), no server: a slow or hung event must not stall its shard. A {@link
 * ReprocessJob} with its default options (retries, concurrency, shards in parallel) over {@value
 * #ASSETS} in-memory ids in 4 shards, whose handler hangs (30 s, interruptible) for one id in
 * {@value #ONE_IN} and returns at once for the others, with a {@code handlerTimeout} of 2 s: each
 * hung id is timed out on every attempt and dead-lettered. The figure is the job's wall time,
 * against the floor set by the hung ids alone: hung ids x attempts x 2 s / concurrency.
 */
final class HungCase {

  static final int ASSETS = 150_000;
  static final int ONE_IN = 1_000;
  private static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(2);

  private HungCase() {}

  static void run(Options o, Results results) {
    int assets = o.quick ? ASSETS / 5 : ASSETS;
    LongAdder hung = new LongAdder();
    EventHandler handler = event -> {
      if (Integer.parseInt(event.assetId().substring(2)) % ONE_IN == ONE_IN - 1) {
        hung.increment();
        Thread.sleep(30_000);
      }
      return Outcome.SUCCEEDED;
    };
    ReprocessJob job = ReprocessJob.builder("bench-hung")
        .selector(InMemorySelector.generated(assets, i -> AssetRef.of("h-" + i, null), 4))
        .handler(handler)
        .handlerTimeout(HANDLER_TIMEOUT)
        .meterRegistry(new SimpleMeterRegistry())
        .build();
    long t0 = System.nanoTime();
    JobReport report = job.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (report.status() != JobStatus.COMPLETED) {
      throw new IllegalStateException("the hung-events job ended " + report.status() + ": " + report.failureCause(),
          report.failureCause());
    }
    int hungIds = assets / ONE_IN;
    int attempts = RetryOptions.ofDefaults().maxAttempts();
    double floor = hungIds * attempts * HANDLER_TIMEOUT.toSeconds() / (double) ReprocessJob.DEFAULT_CONCURRENCY;
    String c = String.format("11. Hung events, %,d in-memory ids in 4 shards, 1 in %,d hangs past a %d s"
        + " handlerTimeout, job defaults", assets, ONE_IN, HANDLER_TIMEOUT.toSeconds());
    results.add(c, "the job's wall time", seconds, "s", null, null);
    results.add(c, String.format("floor: %d hung ids x %d attempts x %d s / concurrency %d", hungIds, attempts,
        HANDLER_TIMEOUT.toSeconds(), ReprocessJob.DEFAULT_CONCURRENCY), floor, "s", null, null);
    results.add(c, "events dead-lettered (the hung ids)", report.deadLettered(), "events", null, null);
    Log.info("hung: %,d ids, %d hung calls, %.1f s (floor %.1f s), %s", assets, hung.sum(), seconds, floor, report);
  }
}
