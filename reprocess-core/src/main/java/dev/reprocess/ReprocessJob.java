package dev.reprocess;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.LoggingDeadLetterSink;
import dev.reprocess.internal.JobRun;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One named, resumable reprocessing job: a selection ({@link AssetSelector}), what to do with each
 * asset (an {@link EventHandler} run in-process, or an {@link EventSink} such as Kafka), and how
 * (paging, parallelism, throttle, retries, dead letters, checkpoints). Built with {@link
 * #builder(String)}.
 *
 * <pre>{@code
 * JobReport report = ReprocessJob.builder("backfill-sizes")
 *     .selector(selector)
 *     .handler(event -> { backfill(event.assetId()); return Outcome.SUCCEEDED; })
 *     .maxEventsPerSecond(200)
 *     .checkpointStore(new FileCheckpointStore(Path.of("/var/lib/reprocess")))
 *     .build()
 *     .run()
 *     .throwIfFailed();
 * }</pre>
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li><b>At least once.</b> Each shard is read page by page, up to two pages in flight per shard.
 *       A shard's checkpoint advances past a page only once every event of that page and of the
 *       pages before it is final (succeeded, skipped or dead-lettered) and {@link EventSink#flush()}
 *       returned. After a crash, a re-run delivers again at most the pages that were in flight: two
 *       pages per shard being read, so at most {@code 2 x pageSize x shardsInParallel} events.
 *   <li><b>Resume and restart</b>, as in Spring Batch: running a job again with the same name and
 *       checkpoint store continues every shard from its checkpoint and skips the shards whose
 *       checkpoint is {@link Checkpoint.State#COMPLETED}. With {@link Builder#restart(boolean)
 *       restart(true)} the job's checkpoints are deleted first and every shard starts over.
 *   <li><b>Failures.</b> A failed attempt is retried per {@link RetryOptions} (backoff with jitter,
 *       scheduled on a timer, never by sleeping a handler thread), then the event is handed to the
 *       dead-letter sink and counts as final. One event's failure stops nothing else unless {@link
 *       Builder#failFast(boolean) failFast} is set. A handler call running past {@link
 *       Builder#handlerTimeout(Duration) handlerTimeout} is a failed attempt ({@link
 *       HandlerTimeoutException}) and its thread is replaced. The job fails when it cannot go on safely: a
 *       shard cannot be read (after retrying {@link RetriableException}s), a checkpoint or a dead
 *       letter cannot be written (nothing is dropped silently), or the handler throws an {@link
 *       Error}; the events concerned are then not final and are delivered again on the next run.
 *   <li><b>Throttle.</b> At most {@code concurrency} events are in flight (delivered, or waiting for
 *       a retry). With {@code maxEventsPerSecond} every attempt, retries included, takes a permit
 *       from a resilience4j {@code RateLimiter}. With {@code adaptiveConcurrency} the limit on
 *       events in flight moves between 1 and {@code concurrency} with the latency of events,
 *       following Netflix concurrency-limits' {@code Gradient2Limit}: it goes down when latency
 *       rises above its long-term average.
 *   <li><b>Bounded memory.</b> Pages stream; memory holds at most {@code 2 x pageSize} assets per
 *       shard being read and {@code concurrency} events in flight, whatever the selection size.
 * </ul>
 *
 * <h2>Observability</h2>
 *
 * Micrometer meters, each tagged {@code job=<name>}: counters {@code reprocess.events.selected},
 * {@code .succeeded}, {@code .skipped}, {@code .failed} (attempts), {@code .retried}, {@code
 * .dead_lettered}; timer {@code reprocess.handler.latency} (one attempt, from delivery to outcome);
 * gauges {@code reprocess.events.in_flight}, {@code reprocess.concurrency.limit} and {@code
 * reprocess.shards.completed} (registered for the duration of an execution). SLF4J logs under
 * {@code dev.reprocess} start with {@code job '<name>':}; per-event logs are at TRACE.
 *
 * <p>Immutable and thread-safe. {@link #run()} or {@link #start()} may be called again once the
 * previous execution finished (a second concurrent execution is refused); each execution reads its
 * checkpoints afresh, so a second run resumes. The job closes the selector at the end of each
 * execution ({@link AssetSelector#close()}); it never closes the sink, dead-letter sink, checkpoint
 * store or meter registry the host passed in.
 */
public final class ReprocessJob {

  /** Executions running in this JVM, by job name: one job name runs once at a time. */
  private static final java.util.concurrent.ConcurrentMap<String, JobExecution> RUNNING =
      new java.util.concurrent.ConcurrentHashMap<>();


  /** Default assets per page: {@value}. */
  public static final int DEFAULT_PAGE_SIZE = 500;
  /** Largest accepted page size: {@value}. */
  public static final int MAX_PAGE_SIZE = 100_000;
  /** Default shards read at once: {@value}. */
  public static final int DEFAULT_SHARDS_IN_PARALLEL = 4;
  /** Largest accepted shards in parallel: {@value}. */
  public static final int MAX_SHARDS_IN_PARALLEL = 1_024;
  /**
   * Default events in flight of a job with a handler, which is also its number of handler threads:
   * {@value}. A job with a sink uses {@link EventSink#defaultConcurrency()} instead.
   */
  public static final int DEFAULT_CONCURRENCY = 16;
  /** Largest accepted concurrency: {@value}. */
  public static final int MAX_CONCURRENCY = 10_000;
  /** Smallest non-zero {@code maxEventsPerSecond}: {@value} (one event every 1000 s). */
  public static final double MIN_EVENTS_PER_SECOND = 0.001;
  /** Largest accepted {@code maxEventsPerSecond}: {@value}. */
  public static final double MAX_EVENTS_PER_SECOND = 1_000_000_000.0;
  /** Default time limit of one handler call of a job with a handler: 60 s. */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(60);
  /** Largest accepted {@code handlerTimeout}: 24 h. */
  public static final Duration MAX_HANDLER_TIMEOUT = Duration.ofHours(24);
  /**
   * Rule for job names, as a regular expression: {@value}. That is 1 to 200 letters, digits, dots,
   * underscores and hyphens, but not {@code "."} or {@code ".."}: a job name becomes part of file
   * names (e.g. {@link dev.reprocess.checkpoint.FileCheckpointStore}), topic names and metric tags.
   */
  public static final String NAME_PATTERN = "(?!\\.{1,2}$)[A-Za-z0-9._-]{1,200}";

  private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

  private final String name;
  private final AssetSelector selector;
  private final EventHandler handler;
  private final EventSink sink;
  private final int pageSize;
  private final int shardsInParallel;
  private final int concurrency;
  private final double maxEventsPerSecond;
  private final boolean adaptiveConcurrency;
  private final RetryOptions retry;
  private final DeadLetterSink deadLetterSink;
  private final CheckpointStore checkpointStore;
  private final List<JobListener> listeners;
  private final MeterRegistry meterRegistry;
  private final Clock clock;
  private final boolean restart;
  private final boolean failFast;
  private final Duration handlerTimeout;
  private final Object lock = new Object();
  private JobExecution current;

  private ReprocessJob(Builder b, int concurrency) {
    this.name = b.name;
    this.selector = b.selector;
    this.handler = b.handler;
    this.sink = b.sink;
    this.pageSize = b.pageSize;
    this.shardsInParallel = b.shardsInParallel;
    this.concurrency = concurrency;
    this.maxEventsPerSecond = b.maxEventsPerSecond;
    this.adaptiveConcurrency = b.adaptiveConcurrency;
    this.retry = b.retry;
    this.deadLetterSink = b.deadLetterSink != null ? b.deadLetterSink : new LoggingDeadLetterSink();
    this.checkpointStore = b.checkpointStore != null ? b.checkpointStore : new InMemoryCheckpointStore();
    this.listeners = List.copyOf(b.listeners);
    this.meterRegistry = b.meterRegistry != null ? b.meterRegistry : Metrics.globalRegistry;
    this.clock = b.clock;
    this.restart = b.restart;
    this.failFast = b.failFast;
    this.handlerTimeout = b.handler != null ? b.handlerTimeout : null;
  }

  /**
   * A builder for a job.
   *
   * @param name the job's name, matching {@value #NAME_PATTERN}; it keys checkpoints, logs and
   *     metrics. Checked by {@link Builder#build()}.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Runs the job and waits for it to finish.
   *
   * @return the final report, whatever its status; see {@link JobReport#throwIfFailed()}
   * @throws IllegalStateException if an execution of this job object, or of another job object
   *     with the same name, is still running in this JVM
   * @throws ReprocessException if the calling thread is interrupted while waiting (the job is
   *     cancelled and the interrupt flag set)
   */
  public JobReport run() {
    JobExecution execution = start();
    try {
      return execution.completion().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      execution.cancel();
      throw new ReprocessException("job '" + name + "': interrupted while running; cancelled", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ReprocessException("job '" + name + "': " + e.getCause(), e.getCause());
    }
  }

  /**
   * Starts the job on its own threads and returns at once. The selector's {@link
   * AssetSelector#shards()} and the checkpoints are read on the job's coordinator thread, so a bad
   * selector configuration shows as a {@link JobStatus#FAILED} report.
   *
   * <p>The job's threads are daemon threads, like the Cassandra driver's and Kafka clients' I/O
   * threads: they do not keep the JVM alive. A program whose {@code main} returns right after
   * {@code start()} ends the job with it; wait with {@link JobExecution#await(java.time.Duration)}
   * or use {@link #run()}.
   *
   * @throws IllegalStateException if an execution of this job object, or of another job object
   *     with the same name, is still running in this JVM
   */
  public JobExecution start() {
    synchronized (lock) {
      if (current != null && !current.isDone()) {
        throw new IllegalStateException("job '" + name + "' is already running");
      }
      JobRun run = new JobRun(this, deliverySink());
      JobExecution execution = run.execution();
      JobExecution other = RUNNING.putIfAbsent(name, execution);
      if (other != null && !other.isDone()) {
        throw new IllegalStateException("job '" + name + "' is already running in this JVM (another "
            + "ReprocessJob object with the same name): two runs of one job would deliver every asset twice "
            + "and share its checkpoints and meters; wait for it, or give this job another name");
      }
      if (other != null && !RUNNING.replace(name, other, execution)) {
        throw new IllegalStateException("job '" + name + "' is being started by another thread of this JVM");
      }
      execution.completion().whenComplete((report, error) -> RUNNING.remove(name, execution));
      current = execution;
      run.start();
      return current;
    }
  }

  private JobRun.SinkChoice deliverySink() {
    return sink != null ? JobRun.SinkChoice.external(sink) : JobRun.SinkChoice.direct(handler);
  }

  /** The job's name. */
  public String name() {
    return name;
  }

  /** The selection. */
  public AssetSelector selector() {
    return selector;
  }

  /** The host's handler, or {@code null} when the job delivers to a {@link #sink()}. */
  public EventHandler handler() {
    return handler;
  }

  /** The sink, or {@code null} when the job runs a {@link #handler()} in-process. */
  public EventSink sink() {
    return sink;
  }

  /** Assets per page. */
  public int pageSize() {
    return pageSize;
  }

  /** Shards read at once. */
  public int shardsInParallel() {
    return shardsInParallel;
  }

  /** Events in flight at most (the upper bound when adaptive). */
  public int concurrency() {
    return concurrency;
  }

  /** Attempts per second at most; 0 for no limit. */
  public double maxEventsPerSecond() {
    return maxEventsPerSecond;
  }

  /** Whether the concurrency limit adapts to latency. */
  public boolean adaptiveConcurrency() {
    return adaptiveConcurrency;
  }

  /** Retry options. */
  public RetryOptions retry() {
    return retry;
  }

  /** Where dead letters go. */
  public DeadLetterSink deadLetterSink() {
    return deadLetterSink;
  }

  /** Where checkpoints go. */
  public CheckpointStore checkpointStore() {
    return checkpointStore;
  }

  /** Listeners, in registration order. */
  public List<JobListener> listeners() {
    return listeners;
  }

  /** Where meters are registered. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /** The job's clock. */
  public Clock clock() {
    return clock;
  }

  /** Whether checkpoints are deleted before running. */
  public boolean restart() {
    return restart;
  }

  /** Whether the first event failing after its retries fails the job. */
  public boolean failFast() {
    return failFast;
  }

  /**
   * The time limit of one handler call ({@link Builder#handlerTimeout(Duration)}), or {@code null}
   * when the job delivers to a {@link #sink()}.
   */
  public Duration handlerTimeout() {
    return handlerTimeout;
  }

  @Override
  public String toString() {
    return "ReprocessJob[" + name + ", selector=" + selector.describe() + ", sink="
        + (sink != null ? sink.describe() : "direct handler, handlerTimeout=" + handlerTimeout)
        + ", pageSize=" + pageSize
        + ", shardsInParallel=" + shardsInParallel + ", concurrency=" + concurrency
        + (adaptiveConcurrency ? " (adaptive)" : "") + ", maxEventsPerSecond=" + maxEventsPerSecond
        + ", " + retry + ", restart=" + restart + ", failFast=" + failFast + "]";
  }

  /**
   * Mutable builder of a {@link ReprocessJob}; not thread-safe. Setters store values; {@link
   * #build()} checks them all, before any I/O. The required parts are the name, a selector, and
   * exactly one of a handler or a sink.
   */
  public static final class Builder {
    private final String name;
    private AssetSelector selector;
    private EventHandler handler;
    private EventSink sink;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private int shardsInParallel = DEFAULT_SHARDS_IN_PARALLEL;
    private int concurrency = DEFAULT_CONCURRENCY;
    private boolean concurrencySet;
    private double maxEventsPerSecond = 0;
    private boolean adaptiveConcurrency;
    private RetryOptions retry = RetryOptions.ofDefaults();
    private DeadLetterSink deadLetterSink;
    private boolean deadLetterSinkSet;
    private CheckpointStore checkpointStore;
    private boolean checkpointStoreSet;
    private final List<JobListener> listeners = new ArrayList<>();
    private MeterRegistry meterRegistry;
    private boolean meterRegistrySet;
    private Clock clock = Clock.systemUTC();
    private boolean restart;
    private boolean failFast;
    private Duration handlerTimeout = DEFAULT_HANDLER_TIMEOUT;
    private boolean handlerTimeoutSet;

    private Builder(String name) {
      this.name = name;
    }

    /** The selection; required. */
    public Builder selector(AssetSelector selector) {
      this.selector = selector;
      return this;
    }

    /**
     * Processes events in-process with this handler, on a pool of {@code concurrency} threads
     * owned by the job. Exactly one of {@code handler} and {@link #sink} is required.
     */
    public Builder handler(EventHandler handler) {
      this.handler = handler;
      return this;
    }

    /**
     * Delivers events to this sink (for instance a Kafka sink). Exactly one of {@link #handler}
     * and {@code sink} is required. The job calls {@link EventSink#flush()} before each checkpoint
     * and at the end, and never closes the sink.
     */
    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    /** Assets per page: 1 to {@value ReprocessJob#MAX_PAGE_SIZE}; default {@value ReprocessJob#DEFAULT_PAGE_SIZE}. */
    public Builder pageSize(int pageSize) {
      this.pageSize = pageSize;
      return this;
    }

    /** Shards read at once: 1 to {@value ReprocessJob#MAX_SHARDS_IN_PARALLEL}; default {@value ReprocessJob#DEFAULT_SHARDS_IN_PARALLEL}. */
    public Builder shardsInParallel(int shardsInParallel) {
      this.shardsInParallel = shardsInParallel;
      return this;
    }

    /**
     * Events in flight at most, across shards: 1 to {@value ReprocessJob#MAX_CONCURRENCY}. The
     * upper bound of the limit when {@link #adaptiveConcurrency(boolean)} is on. With a {@link
     * #handler} it is also the size of the handler pool; default {@value
     * ReprocessJob#DEFAULT_CONCURRENCY}. With a {@link #sink} an event is in flight until the sink
     * completes its delivery (for a Kafka sink, until the broker acknowledged it); default the
     * sink's {@link EventSink#defaultConcurrency()} (1,000 for the Kafka sink: with 16, a job could
     * send only 16 events per broker round trip).
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      this.concurrencySet = true;
      return this;
    }

    /**
     * Attempts per second at most, retries included: 0 (the default) for no limit (negative values
     * and -0.0 are refused), otherwise
     * {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
     * Fractions are allowed (0.5 is one event every 2 s). Permits are spaced evenly, without bursts.
     */
    public Builder maxEventsPerSecond(double maxEventsPerSecond) {
      this.maxEventsPerSecond = maxEventsPerSecond;
      return this;
    }

    /**
     * Lowers the limit on events in flight when event latency rises, and raises it again up to
     * {@code concurrency} when latency falls (Netflix concurrency-limits' {@code Gradient2Limit}).
     * Default false: a fixed limit of {@code concurrency}.
     */
    public Builder adaptiveConcurrency(boolean adaptiveConcurrency) {
      this.adaptiveConcurrency = adaptiveConcurrency;
      return this;
    }

    /** Retry options; default {@link RetryOptions#ofDefaults()}. */
    public Builder retry(RetryOptions retry) {
      this.retry = retry;
      return this;
    }

    /**
     * Where events go after their retries. Default: a {@link LoggingDeadLetterSink}, which logs
     * each dead letter at WARN with the event as JSON (replayable from the log, and nothing is kept
     * in memory); use a file or Kafka dead-letter sink to keep them.
     */
    public Builder deadLetterSink(DeadLetterSink deadLetterSink) {
      this.deadLetterSink = deadLetterSink;
      this.deadLetterSinkSet = true;
      return this;
    }

    /**
     * Where checkpoints go. Default: a new {@link InMemoryCheckpointStore} per job object (resume
     * then works only within one JVM and for this job object); use a file or Cassandra store to
     * resume after a restart of the process.
     */
    public Builder checkpointStore(CheckpointStore checkpointStore) {
      this.checkpointStore = checkpointStore;
      this.checkpointStoreSet = true;
      return this;
    }

    /** Adds a listener; may be called several times. */
    public Builder listener(JobListener listener) {
      this.listeners.add(listener);
      return this;
    }

    /** Where meters are registered; default Micrometer's {@link Metrics#globalRegistry}. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      this.meterRegistrySet = true;
      return this;
    }

    /**
     * The clock for event and checkpoint timestamps, durations, rates, retry backoff and the rate
     * limiter; default {@link Clock#systemUTC()}. Inject a controllable clock in tests: waits
     * (backoff, rate) elapse when that clock advances, not in real time.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Deletes the job's checkpoints before running, so every shard starts over; default false. */
    public Builder restart(boolean restart) {
      this.restart = restart;
      return this;
    }

    /**
     * Fails the job at the first event that fails after its retries (that event is still
     * dead-lettered); default false: failures are dead-lettered and the job goes on.
     */
    public Builder failFast(boolean failFast) {
      this.failFast = failFast;
      return this;
    }

    /**
     * The time limit of one handler call (one attempt of one event), for a job with a {@link
     * #handler}: positive, at most 24 h; default 60 s ({@link ReprocessJob#DEFAULT_HANDLER_TIMEOUT}),
     * measured on the job's {@link #clock(Clock) clock}. A call running past it fails its attempt
     * with a {@link HandlerTimeoutException}, which retries like any {@link RetriableException}
     * (then goes to the dead-letter sink) per the {@link #retry(RetryOptions) retry options}. The
     * call's thread is interrupted and leaves the handler pool, and a new thread takes its place,
     * so the pool keeps {@code concurrency} threads and the job does not wait for the call: its
     * permit is released at once, and {@link JobExecution#cancel()} and {@link
     * JobExecution#await(Duration)} finish within about this limit even if the handler ignores
     * interrupts. An abandoned thread ends when the handler returns (its result is ignored); one
     * that never returns stays blocked, a daemon thread: Java cannot stop a thread by force. The
     * watchdog checks every {@code handlerTimeout / 4} (10 ms to 1 s), so a call is timed out
     * that much after the limit at most. The Kafka worker has the same option for its handler.
     *
     * <p>Not for a job with a {@link #sink}: a sink's deliveries have their own limits (the Kafka
     * sink's producer timeouts, the worker's {@code handlerTimeout}); {@link #build()} refuses it.
     */
    public Builder handlerTimeout(Duration handlerTimeout) {
      this.handlerTimeout = handlerTimeout;
      this.handlerTimeoutSet = true;
      return this;
    }

    /**
     * Checks every option and builds the job; does no I/O.
     *
     * @throws IllegalArgumentException naming the first bad option, its value and the rule
     */
    public ReprocessJob build() {
      if (".".equals(name) || "..".equals(name)) {
        throw new IllegalArgumentException("name is '" + name + "': it must not be '.' or '..' "
            + "(a job name becomes part of file names), see ReprocessJob.NAME_PATTERN");
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name is '" + name
            + "': it must be 1 to 200 of A-Z a-z 0-9 . _ - (the regular expression " + NAME_PATTERN
            + ")");
      }
      if (selector == null) {
        throw new IllegalArgumentException("selector is null: a job requires a selector");
      }
      if (handler == null && sink == null) {
        throw new IllegalArgumentException(
            "handler and sink are both null: a job requires exactly one of handler or sink");
      }
      if (handler != null && sink != null) {
        throw new IllegalArgumentException("handler and sink are both set (sink is "
            + sink.describe() + "): a job requires exactly one of handler or sink");
      }
      if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw new IllegalArgumentException(
            "pageSize is " + pageSize + ": it must be between 1 and " + MAX_PAGE_SIZE);
      }
      if (shardsInParallel < 1 || shardsInParallel > MAX_SHARDS_IN_PARALLEL) {
        throw new IllegalArgumentException("shardsInParallel is " + shardsInParallel
            + ": it must be between 1 and " + MAX_SHARDS_IN_PARALLEL);
      }
      if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw new IllegalArgumentException(
            "concurrency is " + concurrency + ": it must be between 1 and " + MAX_CONCURRENCY);
      }
      int effectiveConcurrency = concurrency;
      if (!concurrencySet && sink != null) {
        int fromSink = sink.defaultConcurrency();
        if (fromSink < 1 || fromSink > MAX_CONCURRENCY) {
          throw new IllegalArgumentException("concurrency is not set and the sink " + sink.describe()
              + " gives " + fromSink + " as its defaultConcurrency(): it must be between 1 and "
              + MAX_CONCURRENCY + "; set the job's concurrency explicitly");
        }
        effectiveConcurrency = fromSink;
      }
      // -0.0 == 0 is true, but a negative zero is almost surely a bug in the caller: refused too.
      if (Double.isNaN(maxEventsPerSecond) || maxEventsPerSecond < 0
          || Double.doubleToRawLongBits(maxEventsPerSecond) == Double.doubleToRawLongBits(-0.0)
          || (maxEventsPerSecond > 0 && maxEventsPerSecond < MIN_EVENTS_PER_SECOND)
          || maxEventsPerSecond > MAX_EVENTS_PER_SECOND) {
        throw new IllegalArgumentException("maxEventsPerSecond is " + maxEventsPerSecond
            + ": it must be 0 (no limit) or between " + MIN_EVENTS_PER_SECOND + " and "
            + MAX_EVENTS_PER_SECOND);
      }
      if (retry == null) {
        throw new IllegalArgumentException(
            "retry is null: pass RetryOptions (RetryOptions.noRetry() for no retries)");
      }
      if (deadLetterSinkSet && deadLetterSink == null) {
        throw new IllegalArgumentException(
            "deadLetterSink is null: pass a sink, or do not call deadLetterSink for the default");
      }
      if (checkpointStoreSet && checkpointStore == null) {
        throw new IllegalArgumentException(
            "checkpointStore is null: pass a store, or do not call checkpointStore for the default");
      }
      for (int i = 0; i < listeners.size(); i++) {
        if (listeners.get(i) == null) {
          throw new IllegalArgumentException("listener #" + (i + 1) + " is null: listeners must be non-null");
        }
      }
      if (meterRegistrySet && meterRegistry == null) {
        throw new IllegalArgumentException(
            "meterRegistry is null: pass a registry, or do not call meterRegistry for the global one");
      }
      if (clock == null) {
        throw new IllegalArgumentException("clock is null: pass a clock, e.g. Clock.systemUTC()");
      }
      if (handlerTimeoutSet && sink != null) {
        throw new IllegalArgumentException("handlerTimeout is set (" + handlerTimeout + ") but the job "
            + "delivers to the sink " + sink.describe() + ": handlerTimeout applies only to a job with "
            + "a handler; a sink's deliveries have their own limits");
      }
      if (handlerTimeout == null || handlerTimeout.isZero() || handlerTimeout.isNegative()
          || handlerTimeout.compareTo(MAX_HANDLER_TIMEOUT) > 0) {
        throw new IllegalArgumentException("handlerTimeout is " + handlerTimeout
            + ": it must be positive and at most " + MAX_HANDLER_TIMEOUT + " (24 hours)");
      }
      return new ReprocessJob(this, effectiveConcurrency);
    }
  }
}
