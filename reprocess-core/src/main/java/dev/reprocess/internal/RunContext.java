package dev.reprocess.internal;

import dev.reprocess.DeadLetters;
import dev.reprocess.EventSink;
import dev.reprocess.JobListener;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pieces of one execution share: the spec, the time sources, the throttle and timer, the
 * tally, the sink, the listeners, and the stop and failure state. The coordinator ({@link JobRun})
 * creates it; shard readers and event attempts read it. Thread-safe.
 */
final class RunContext {

  static final Logger LOG = LoggerFactory.getLogger("dev.reprocess.engine");

  final JobSpec spec;
  final String name;
  /** {@code job '<name>': }, the start of every log line and message. */
  final String prefix;
  final Clock clock;
  final Ticker ticker;
  /** The creation time of events. */
  final EventTimes eventTimes;
  final ConcurrencyGate gate;
  /** Feeds {@link #gate} from the job's pressure signal. */
  final Pressure pressure;
  /** The rate limit, scaled by the adaptive limit with {@code adaptiveRate}. */
  final AdaptiveRate rate;
  final RateThrottle throttle;
  final ClockTimer timer;
  final JobTally tally;
  /** The outage budget: how long work waits for an unavailable backend. */
  final OutageWait outage;
  /** The run's lease; checkpoints are written through it. */
  final LeaseKeeper lease;
  /**
   * The host whose threads the run borrows ({@link JobHost#starting}, read on the thread that
   * starts the job), or null: it starts its own.
   */
  final JobHost host;

  private volatile boolean stopping;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Object flushLock = new Object();
  private volatile EventSink sink;
  private volatile SliceSink sliceSink;
  private volatile Executor outcomeExecutor;
  private ExecutorService completionPool;

  RunContext(JobSpec spec) {
    this.spec = spec;
    this.name = spec.name();
    this.prefix = spec.logPrefix();
    this.clock = spec.clock();
    this.ticker = Ticker.of(clock);
    this.eventTimes = new EventTimes(clock, ticker);
    this.gate = spec.adaptiveConcurrency()
        ? ConcurrencyGate.adaptive(spec.concurrency(), spec.adaptive().minConcurrency(),
            spec.adaptive().algorithm())
        : ConcurrencyGate.fixed(spec.concurrency());
    this.pressure = new Pressure(gate, spec.adaptive().signal(), ticker);
    this.throttle = spec.maxEventsPerSecond() > 0
        ? RateThrottle.perSecond(name, spec.maxEventsPerSecond(), ticker)
        : RateThrottle.unlimited(name, ticker);
    this.rate = new AdaptiveRate(gate, throttle, spec.adaptiveConcurrency() && spec.adaptive().scaleRate(),
        spec.maxEventsPerSecond());
    this.tally = new JobTally(name, spec.meterRegistry(), ticker, gate);
    this.outage = new OutageWait(prefix, spec.outageBudget(), ticker);
    this.host = JobHost.current();
    this.timer = new ClockTimer(ticker, "reprocess-" + name + "-timer", prefix, host);
    this.lease = new LeaseKeeper(this);
  }

  /**
   * Whether the job's summary lines (its start, its lease, its end) are logged: at INFO, or at
   * DEBUG for a job on a {@link JobHost}, whose host logs what its jobs did.
   */
  boolean logsSummary() {
    return host == null ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
  }

  /** Logs a summary line at the level {@link #logsSummary()} checks. */
  void logSummary(String format, Object... args) {
    if (host == null) {
      LOG.info(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  // ---------------------------------------------------------------- sink

  /**
   * Opens the execution's sink. Outcomes of a sink the job owns settle on the sink's own threads
   * (the job's); those of a host's sink settle on a small pool of the job's, never on the sink's
   * callback thread (a Kafka producer's I/O thread must not block on a dead-letter sink).
   */
  void openSink() {
    JobSpec.SinkSource source = spec.sink();
    if (source.ownedByJob()) {
      outcomeExecutor = Runnable::run;
    } else {
      int threads = Math.max(1, Math.min(spec.concurrency(), 4));
      AtomicInteger n = new AtomicInteger();
      completionPool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "reprocess-" + name + "-completion-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      outcomeExecutor = completionPool;
    }
    // A sink the job makes on a host (the in-process one) borrows its threads from the host.
    sink = host != null && source.ownedByJob() ? host.starting(source.open()) : source.open().get();
    sliceSink = source.ownedByJob() && sink instanceof SliceSink s ? s : null;
  }

  EventSink sink() {
    return sink;
  }

  /**
   * The sink as a {@link SliceSink} when the job created it and it takes slices (outcomes then
   * settle on its threads, which are the job's); null otherwise.
   */
  SliceSink sliceSink() {
    return sliceSink;
  }

  /** Where an attempt's outcome is settled (see {@link #openSink()}). */
  Executor outcomeExecutor() {
    return outcomeExecutor;
  }

  void flushSink() {
    synchronized (flushLock) {
      sink.flush();
    }
  }

  /** Closes the sink if the job owns it (a host's sink is the host's to close), then the pool. */
  void closeSink() {
    if (spec.sink().ownedByJob() && sink != null) {
      try {
        sink.close();
      } catch (Throwable t) {
        LOG.warn("{}closing the sink {} failed: {}", prefix, sink.describe(), t.toString());
      }
    }
    if (completionPool != null) {
      completionPool.shutdown();
      try {
        completionPool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- stop and failure

  boolean isStopping() {
    return stopping;
  }

  /** The first failure of the execution, or null. */
  Throwable failure() {
    return failure.get();
  }

  /** Records the failure if it is the first, and stops the execution. */
  void fail(Throwable t) {
    if (failure.compareAndSet(null, t)) {
      LOG.error("{}failing: {}", prefix, DeadLetters.describe(t));
    }
    stop();
  }

  /** Records the failure if it is the first, without stopping the other shards. */
  boolean failWithoutStopping(Throwable t) {
    return failure.compareAndSet(null, t);
  }

  /** No new event is delivered; waits (pause, retry backoff, rate, outage, lease) end at once. */
  void stop() {
    stopping = true;
    outage.stop();
    gate.wakeUp();
    timer.abandonAll();
  }

  // ---------------------------------------------------------------- listeners

  /** Calls every listener; one that throws is logged and ignored. */
  void fire(Consumer<JobListener> call) {
    fire(spec, call);
  }

  /** Calls every listener of {@code spec}; one that throws is logged and ignored. */
  static void fire(JobSpec spec, Consumer<JobListener> call) {
    String prefix = spec.logPrefix();
    for (JobListener l : spec.listeners()) {
      try {
        call.accept(l);
      } catch (Throwable t) {
        LOG.warn("{}listener {} threw {}; ignored", prefix, l, DeadLetters.describe(t));
      }
    }
  }
}
