package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.Outcome;
import dev.reprocess.PressureSignal;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.DriverPressureSignal;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.pressure.LatencyObjective;
import dev.reprocess.pressure.TimerPressureSignal;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Case 10 (issue 17): what a job does to production on the same Cassandra. A synthetic production
 * workload ({@link OpenLoopLoad}) runs throughout; each phase measures it for {@code
 * --safety-seconds}: (a) alone, (b) with a job at full speed, (c) with the job at fixed rates of 10,
 * 25 and 50% of (b)'s (what any throttle could at best reach at that rate), (d) with the job's
 * adaptive limit on each pressure signal (the driver's request latency of production's
 * statements, as it is and held to production's p99 alone with AIMD; production's own p99 timer;
 * the handler's latency). The job
 * is a backfill: per event a point read and a write on a side table of the same cluster. Rows:
 * production's p50, p99 and p99.9, the job's rate as a fraction of (b)'s; plots of production's p99
 * and the job's limit per second.
 */
final class SafetyCase {

  static final double P99_GOAL = 1.10;
  static final double RATE_GOAL = 0.5;
  private static final int JOB_CONCURRENCY = 32;
  private static final int KEYS = 20_000;
  /** The fixed rates of the (c) phases, as fractions of (b)'s rate. */
  private static final double[] FIXED_FRACTIONS = {0.1, 0.25, 0.5};
  /** The (d) phase the goal is checked on. */
  private static final String GOAL_PHASE = "driver signal held to production's p99 alone";

  /** One phase's figures. */
  record Phase(String name, Histogram latencies, List<Double> p99PerSecond, List<Double> limitPerSecond,
      double jobRate, long errors) {

    double p(double percentile) {
      return latencies.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  /** An adaptive phase: the signal and the algorithm. */
  private record Adaptive(String name, PressureSignal signal, LimitAlgorithm algorithm) {}

  private SafetyCase() {}

  /**
   * The adaptive phases: each signal as it is, with {@code --safety-algorithm}, and the driver's
   * held to the objective (production's p99 alone) with AIMD, the goal's phase.
   */
  private static List<Adaptive> adaptivePhases(Options o, DriverPressureSignal driver, SimpleMeterRegistry registry,
      Duration objective) {
    String algorithm = o.safetyAlgorithm.name().toLowerCase(java.util.Locale.ROOT);
    PressureSignal timer = TimerPressureSignal.builder(registry, "production.requests").percentile(0.99)
        .interval(Duration.ofMillis(500)).build();
    List<Adaptive> list = new ArrayList<>();
    list.add(new Adaptive("driver signal, " + algorithm, driver, o.safetyAlgorithm));
    list.add(new Adaptive(GOAL_PHASE + ", aimd, adaptiveRate", LatencyObjective.builder(driver).percentile(0.99)
        .objective(objective).interval(Duration.ofMillis(500)).build(), LimitAlgorithm.AIMD));
    list.add(new Adaptive("production timer signal, " + algorithm, timer, o.safetyAlgorithm));
    list.add(new Adaptive("handler signal, " + algorithm, PressureSignal.handlerLatency(), o.safetyAlgorithm));
    return list;
  }

  static void run(Options o, Servers servers, CassandraData.Table table, Results results) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Timer productionTimer = Timer.builder("production.requests").publishPercentiles(0.99)
        .distributionStatisticExpiry(Duration.ofSeconds(5)).distributionStatisticBufferLength(2)
        .register(registry);
    AtomicReference<OpenLoopLoad> loadRef = new AtomicReference<>();
    DriverPressureSignal driverSignal = DriverPressureSignal.filter(r -> {
      OpenLoopLoad l = loadRef.get();
      return l != null && l.isProduction(r);
    });
    try (CqlSession session = servers.cassandraSessionBuilder().addRequestTracker(driverSignal).build()) {
      session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + CassandraData.KEYSPACE
          + ".safety_marks (asset_id text PRIMARY KEY, marked_at timestamp)"));
      PreparedStatement markRead = session.prepare("SELECT marked_at FROM " + CassandraData.KEYSPACE
          + ".safety_marks WHERE asset_id = ?");
      PreparedStatement markWrite = session.prepare("INSERT INTO " + CassandraData.KEYSPACE
          + ".safety_marks (asset_id, marked_at) VALUES (?, ?)");
      List<OpenLoopLoad.Key> keys = keys(session, table);
      try (OpenLoopLoad load = new OpenLoopLoad(session, table.qualified(), keys, o.safetyRate, productionTimer)) {
        loadRef.set(load);
        load.start();
        Log.info("safety: production load %,.0f requests/s on %,d keys; warming up %d s", o.safetyRate, keys.size(),
            o.safetySeconds);
        measure(o, load, "warm-up (job at full speed)", job(session, table, markRead, markWrite, b -> { }));
        List<Phase> phases = new ArrayList<>();
        Phase alone = measure(o, load, "(a) production alone", null);
        phases.add(alone);
        Phase full = measure(o, load, "(b) job at full speed", job(session, table, markRead, markWrite, b -> { }));
        phases.add(full);
        for (double fraction : FIXED_FRACTIONS) {
          double rate = Math.max(1, full.jobRate() * fraction);
          phases.add(measure(o, load, String.format("(c) job at a fixed rate, %.0f%% of (b) (%,.0f/s)",
              fraction * 100, rate), job(session, table, markRead, markWrite, b -> b.maxEventsPerSecond(rate))));
        }
        Duration objective = Duration.ofNanos((long) (alone.p(99) * 1e6));
        Log.info("safety: the latency objective of the (d) phases: production's p99 alone, %.2f ms", alone.p(99));
        for (Adaptive a : adaptivePhases(o, driverSignal, registry, objective)) {
          // The objective's phase also scales a rate ceiling of (b)'s rate by the limit (adaptiveRate):
          // one handler thread alone runs at most of (b)'s rate here, so a limit of events in flight
          // cannot go low enough by itself.
          boolean scaleRate = a.name().startsWith(GOAL_PHASE);
          double ceiling = full.jobRate();
          phases.add(measure(o, load, "(d) adaptive, " + a.name(), job(session, table, markRead, markWrite,
              b -> {
                b.adaptiveConcurrency(true).limitAlgorithm(a.algorithm()).pressureSignal(a.signal());
                if (scaleRate) {
                  b.maxEventsPerSecond(ceiling).adaptiveRate(true);
                }
              })));
        }
        report(o, phases, full, results);
        plots(o, phases);
      }
    }
  }

  /** Production's keys: the first rows of the table, spread over partitions by the token order. */
  private static List<OpenLoopLoad.Key> keys(CqlSession session, CassandraData.Table table) {
    List<OpenLoopLoad.Key> keys = new ArrayList<>(KEYS);
    for (Row r : session.execute(SimpleStatement.newInstance("SELECT asset_type, bucket, asset_id FROM "
        + table.qualified() + " LIMIT " + KEYS))) {
      keys.add(new OpenLoopLoad.Key(r.getString(0), r.getString(1), r.getUuid(2)));
    }
    return keys;
  }

  private static ReprocessJob.Builder job(CqlSession session, CassandraData.Table table, PreparedStatement markRead,
      PreparedStatement markWrite, Consumer<ReprocessJob.Builder> options) {
    ReprocessJob.Builder b = ReprocessJob.builder("safety-" + UUID.randomUUID().toString().substring(0, 8))
        .selector(TimeBucketSelector.builder(session).table(table.qualified()).assetTypes(CassandraData.TYPES)
            .window(CassandraData.FROM, CassandraData.TO).build())
        .handler(event -> {
          session.execute(markRead.bind(event.assetId()));
          session.execute(markWrite.bind(event.assetId(), Instant.now()));
          return Outcome.SUCCEEDED;
        })
        .concurrency(JOB_CONCURRENCY)
        .meterRegistry(new SimpleMeterRegistry());
    options.accept(b);
    return b;
  }

  /** Runs a phase: the job (if any) starts, production is measured each second, the job is cancelled. */
  private static Phase measure(Options o, OpenLoopLoad load, String name, ReprocessJob.Builder job)
      throws InterruptedException {
    JobExecution execution = job == null ? null : job.build().start();
    load.interval(); // drop what came before the phase
    long errorsBefore = load.errors();
    Histogram all = new Histogram(3);
    List<Double> p99 = new ArrayList<>();
    List<Double> limit = new ArrayList<>();
    long t0 = System.nanoTime();
    long succeededAtStart = execution == null ? 0 : execution.progress().succeeded();
    for (int s = 1; s <= o.safetySeconds; s++) {
      long wait = t0 + s * 1_000_000_000L - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      Histogram h = load.interval();
      all.add(h);
      p99.add(h.getValueAtPercentile(99) / 1000.0);
      limit.add(execution == null ? 0.0 : execution.progress().concurrencyLimit());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double rate = 0;
    if (execution != null) {
      boolean finishedEarly = execution.isDone();
      rate = (execution.progress().succeeded() - succeededAtStart) / seconds;
      execution.cancel();
      JobReport report = execution.await(Duration.ofMinutes(2));
      if (report.status() == JobStatus.FAILED) {
        throw new IllegalStateException("safety phase " + name + ": the job failed: " + report.failureCause(),
            report.failureCause());
      }
      if (finishedEarly) {
        Log.info("safety: %s: the job finished before the phase ended: use more --assets for a longer job", name);
      }
    }
    Phase phase = new Phase(name, all, p99, limit, rate, load.errors() - errorsBefore);
    Log.info("safety: %-45s p50 %6.2f ms, p99 %7.2f ms, p99.9 %7.2f ms, job %,8.0f events/s, %d errors", name,
        phase.p(50), phase.p(99), phase.p(99.9), rate, phase.errors());
    return phase;
  }

  private static void report(Options o, List<Phase> phases, Phase full, Results results) {
    String c = String.format("10. Production safety, %,.0f requests/s open loop (half point reads, half writes by key),"
        + " %d s per phase, adaptive with %s", o.safetyRate, o.safetySeconds, o.safetyAlgorithm);
    Phase alone = phases.get(0);
    for (Phase p : phases) {
      boolean goalPhase = p.name().startsWith("(d) adaptive, " + GOAL_PHASE);
      results.add(c, p.name() + ": production p50", p.p(50), "ms", p.p(50) / alone.p(50), null);
      if (goalPhase) {
        results.addAtMost(c, p.name() + ": production p99, ratio to (a)", p.p(99), "ms", p.p(99) / alone.p(99),
            P99_GOAL);
      } else {
        results.add(c, p.name() + ": production p99, ratio to (a)", p.p(99), "ms", p.p(99) / alone.p(99), null);
      }
      results.add(c, p.name() + ": production p99.9", p.p(99.9), "ms", p.p(99.9) / alone.p(99.9), null);
      if (p != alone) {
        results.add(c, p.name() + ": job rate, ratio to (b)", p.jobRate(), "events/s", p.jobRate() / full.jobRate(),
            goalPhase ? RATE_GOAL : null);
      }
      if (p.errors() > 0) {
        results.add(c, p.name() + ": production requests failed", p.errors(), "requests", null, null);
      }
    }
  }

  private static void plots(Options o, List<Phase> phases) throws java.io.IOException {
    Path dir = o.output.toAbsolutePath().getParent();
    Map<String, List<Double>> p99 = new LinkedHashMap<>();
    Map<String, List<Double>> limits = new LinkedHashMap<>();
    for (Phase p : phases) {
      if (p.name().startsWith("(a)") || p.name().startsWith("(b)") || p.name().startsWith("(d) adaptive, " + GOAL_PHASE)) {
        p99.put(p.name(), p.p99PerSecond());
      }
      if (p.name().startsWith("(b)") || p.name().startsWith("(d)")) {
        limits.put(p.name(), p.limitPerSecond());
      }
    }
    SafetyPlots.write(dir.resolve("safety-p99.png"), "Production p99 per second", "p99 (ms)", p99);
    SafetyPlots.write(dir.resolve("safety-limit.png"), "The job's limit on events in flight", "events in flight",
        limits);
  }
}
