package dev.reprocess;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.LoggingDeadLetterSink;
import dev.reprocess.internal.BatchHandler;
import dev.reprocess.internal.InProcessSink;
import dev.reprocess.internal.JobRun;
import dev.reprocess.internal.JobSpec;
import dev.reprocess.internal.Option;
import dev.reprocess.internal.SelectionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

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
 *   <li><b>At least once.</b> Each shard is read page by page, up to 16 pages in flight per shard
 *       (their events bounded by {@code concurrency}), so a slow event does not hold its shard. A
 *       shard's checkpoint advances past a page only once every event of that page and of the
 *       pages before it is final (succeeded, skipped or dead-lettered) and {@link EventSink#flush()}
 *       returned. Checkpoints are written in the background, newest first, every shard's pending
 *       one together ({@link JobLease#saveAll}) at most once per {@link Builder#checkpointInterval
 *       checkpointInterval} (default 1 s); a shard is complete, and the run's report final, only
 *       once they are written. After a crash, a re-run delivers again the pages in flight and those
 *       final since the last write: about {@code checkpointInterval} of work per shard being read
 *       ({@code 20 x pageSize x shardsInParallel} events at most with an interval of 0).
 *   <li><b>Resume and restart</b>, as in Spring Batch: running a job again with the same name and
 *       checkpoint store continues every shard from its checkpoint and skips the shards whose
 *       checkpoint is {@link Checkpoint.State#COMPLETED}. With {@link Builder#restart(boolean)
 *       restart(true)} the job's checkpoints are deleted first and every shard starts over.
 *   <li><b>Failures.</b> A failed attempt is retried per {@link RetryOptions} (backoff with jitter,
 *       scheduled on a timer, never by sleeping a handler thread), then the event is handed to the
 *       dead-letter sink and counts as final. One event's failure stops nothing else unless {@link
 *       Builder#failFast(boolean) failFast} is set or the error budget is exceeded ({@link
 *       Builder#maxErrors(long) maxErrors}, {@link Builder#maxErrorRatio(double) maxErrorRatio},
 *       {@link Builder#stopAfterSameFailures(long) stopAfterSameFailures}, default 100 dead letters
 *       in a row for one reason before any success). A handler call running past {@link
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
  /** Default cap on the shards of one job, in total: {@value}. */
  public static final int DEFAULT_MAX_SHARDS = 100_000;
  /** Largest accepted {@code maxShards}: {@value}. */
  public static final int MAX_MAX_SHARDS = 10_000_000;
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

  /** The default {@link Builder#outageBudget(Duration) outage budget}: 5 minutes. */
  public static final Duration DEFAULT_OUTAGE_BUDGET = Duration.ofMinutes(5);

  /** Default {@link Builder#checkpointInterval(Duration) checkpointInterval}: 1 second. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  /** Default {@link Builder#leaseTimeToLive(Duration) leaseTimeToLive}: 30 seconds. */
  public static final Duration DEFAULT_LEASE_TIME_TO_LIVE = Duration.ofSeconds(30);

  /** Smallest {@link Builder#leaseTimeToLive(Duration) leaseTimeToLive}: 1 second. */
  public static final Duration MIN_LEASE_TIME_TO_LIVE = Duration.ofSeconds(1);

  /** Largest {@link Builder#leaseTimeToLive(Duration) leaseTimeToLive}: 1 hour. */
  public static final Duration MAX_LEASE_TIME_TO_LIVE = Duration.ofHours(1);
  /** Default {@link Builder#stopAfterSameFailures(long) stopAfterSameFailures}: {@value}. */
  public static final long DEFAULT_STOP_AFTER_SAME_FAILURES = 100;

  /**
   * Rule for job names, as a regular expression: {@value}. That is 1 to 200 letters, digits, dots,
   * underscores and hyphens, but not {@code "."} or {@code ".."}: a job name becomes part of file
   * names (e.g. {@link dev.reprocess.checkpoint.FileCheckpointStore}), topic names and metric tags.
   */
  public static final String NAME_PATTERN = "(?!\\.{1,2}$)[A-Za-z0-9._-]{1,200}";

  private final JobSpec spec;
  private final EventHandler handler;
  private final EventSink sink;
  private final Duration handlerTimeout;
  /** Every option's final value, in declaration order, for {@link #toString()}. */
  private final Map<Option<?>, Object> options;
  private final Object lock = new Object();
  private JobExecution current;

  private ReprocessJob(Map<Option<?>, Object> options, List<JobListener> listeners) {
    this.options = options;
    this.handler = (EventHandler) options.get(JobOptions.HANDLER);
    this.sink = (EventSink) options.get(JobOptions.SINK);
    this.handlerTimeout = (Duration) options.get(JobOptions.HANDLER_TIMEOUT);
    String name = (String) options.get(JobOptions.NAME_OPTION);
    int concurrency = (Integer) options.get(JobOptions.CONCURRENCY);
    Clock clock = (Clock) options.get(JobOptions.CLOCK);
    JobSpec.SinkSource sinkSource = sink != null ? JobSpec.SinkSource.ofHost(sink)
        : JobSpec.SinkSource.ownedByJob(() -> new InProcessSink(handler, concurrency,
            "reprocess-" + name + "-handler", handlerTimeout, clock));
    this.spec = new JobSpec(name, this::toString, (AssetSelector) options.get(JobOptions.SELECTOR),
        sinkSource, (Integer) options.get(JobOptions.PAGE_SIZE),
        (Integer) options.get(JobOptions.SHARDS_IN_PARALLEL), concurrency,
        (Double) options.get(JobOptions.MAX_EVENTS_PER_SECOND_OPTION),
        (Boolean) options.get(JobOptions.ADAPTIVE_CONCURRENCY),
        (RetryOptions) options.get(JobOptions.RETRY),
        (DeadLetterSink) options.get(JobOptions.DEAD_LETTER_SINK),
        (CheckpointStore) options.get(JobOptions.CHECKPOINT_STORE), listeners,
        (MeterRegistry) options.get(JobOptions.METER_REGISTRY), clock,
        (Boolean) options.get(JobOptions.RESTART), (Boolean) options.get(JobOptions.FAIL_FAST),
        (Integer) options.get(JobOptions.MAX_SHARDS),
        (Duration) options.get(JobOptions.OUTAGE_BUDGET), (Long) options.get(JobOptions.MAX_ERRORS),
        (Boolean) options.get(JobOptions.ACCEPT_CHANGED_SELECTION),
        (RunningElsewhere) options.get(JobOptions.ON_RUNNING_ELSEWHERE),
        (Duration) options.get(JobOptions.LEASE_TIME_TO_LIVE),
        (Double) options.get(JobOptions.MAX_ERROR_RATIO),
        (Long) options.get(JobOptions.STOP_AFTER_SAME_FAILURES),
        (Duration) options.get(JobOptions.CHECKPOINT_INTERVAL),
        new JobSpec.Adaptive((LimitAlgorithm) options.get(JobOptions.LIMIT_ALGORITHM),
            (Integer) options.get(JobOptions.MIN_CONCURRENCY),
            (PressureSignal) options.get(JobOptions.PRESSURE_SIGNAL),
            (Boolean) options.get(JobOptions.ADAPTIVE_RATE)));
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
      throw new ReprocessException(spec.logPrefix() + "interrupted while running; cancelled", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ReprocessException(spec.logPrefix() + e.getCause(), e.getCause());
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
    String name = spec.name();
    synchronized (lock) {
      if (current != null && !current.isDone()) {
        throw new IllegalStateException("job '" + name + "' is already running");
      }
      JobRun run = new JobRun(spec);
      JobExecution execution = run.execution();
      // An execution that ended removes itself once its completion's callbacks ran, which may be
      // after its run() returned: take its place, or the key it left.
      JobExecution other = RUNNING.putIfAbsent(name, execution);
      while (other != null) {
        if (!other.isDone()) {
          throw new IllegalStateException("job '" + name + "' is already running in this JVM (another "
              + "ReprocessJob object with the same name): two runs of one job would deliver every asset twice "
              + "and share its checkpoints and meters; wait for it, or give this job another name");
        }
        other = RUNNING.replace(name, other, execution) ? null : RUNNING.putIfAbsent(name, execution);
      }
      execution.completion().whenComplete((report, error) -> RUNNING.remove(name, execution));
      current = execution;
      run.start();
      return current;
    }
  }

  /**
   * A dry run: counts the assets the job would select, per shard, and delivers nothing. It reads
   * the selection as a run does ({@link AssetSelector#shards()}, the {@code maxShards} cap, then
   * {@link AssetSelector#count} for each shard, {@code shardsInParallel} at a time, pages of {@code
   * pageSize}), but never opens the sink or the handler, and never reads or writes the checkpoint
   * store or the dead-letter sink: it counts the whole selection, whatever earlier runs did. Like
   * DSBulk's {@code count} and Elasticsearch's {@code _count}.
   *
   * <p>Progress: an INFO log line per shard counted and the running total every 10 seconds of the
   * job's clock; {@link JobListener#onShardCounted} per shard. A selection of 0 assets is logged at
   * WARN with what to check. A page read is not retried: a failed dry run is cheap to run again.
   * Runs on the calling thread and {@code shardsInParallel} daemon threads; it may run while an
   * execution of the same job runs (it writes nothing). Closes the selector at the end, as a run does.
   *
   * @return the counts, per shard in the selector's order
   * @throws IllegalArgumentException if the selector rejects its configuration, or its shards exceed
   *     {@code maxShards}
   * @throws ReprocessException if a shard cannot be read (naming the shard)
   */
  public SelectionCount count() {
    return new SelectionCounter(spec).count();
  }

  /** The job's name. */
  public String name() {
    return spec.name();
  }

  /** The selection. */
  public AssetSelector selector() {
    return spec.selector();
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
    return spec.pageSize();
  }

  /** Shards read at once. */
  public int shardsInParallel() {
    return spec.shardsInParallel();
  }

  /** Events in flight at most (the upper bound when adaptive). */
  public int concurrency() {
    return spec.concurrency();
  }

  /** Attempts per second at most; 0 for no limit. */
  public double maxEventsPerSecond() {
    return spec.maxEventsPerSecond();
  }

  /** Whether the concurrency limit adapts to latency. */
  public boolean adaptiveConcurrency() {
    return spec.adaptiveConcurrency();
  }

  /** The adaptive limit's algorithm. */
  public LimitAlgorithm limitAlgorithm() {
    return spec.adaptive().algorithm();
  }

  /** The lowest the adaptive limit goes. */
  public int minConcurrency() {
    return spec.adaptive().minConcurrency();
  }

  /** What the adaptive limit learns from. */
  public PressureSignal pressureSignal() {
    return spec.adaptive().signal();
  }

  /** Whether the adaptive limit also scales the rate. */
  public boolean adaptiveRate() {
    return spec.adaptive().scaleRate();
  }

  /** Retry options. */
  public RetryOptions retry() {
    return spec.retry();
  }

  /** Where dead letters go. */
  public DeadLetterSink deadLetterSink() {
    return spec.deadLetterSink();
  }

  /** Where checkpoints go. */
  public CheckpointStore checkpointStore() {
    return spec.checkpointStore();
  }

  /** Listeners, in registration order. */
  public List<JobListener> listeners() {
    return spec.listeners();
  }

  /** Where meters are registered. */
  public MeterRegistry meterRegistry() {
    return spec.meterRegistry();
  }

  /** The job's clock. */
  public Clock clock() {
    return spec.clock();
  }

  /** Whether checkpoints are deleted before running. */
  public boolean restart() {
    return spec.restart();
  }

  /** Whether the first event failing after its retries fails the job. */
  public boolean failFast() {
    return spec.failFast();
  }

  /** The least time between two rounds of checkpoint writes ({@link Builder#checkpointInterval}). */
  public Duration checkpointInterval() {
    return spec.checkpointInterval();
  }

  /** How long work waits for an unavailable backend before the job fails ({@link Builder#outageBudget}). */
  public Duration outageBudget() {
    return spec.outageBudget();
  }

  /** The error budget ({@link Builder#maxErrors}); {@link Long#MAX_VALUE} when there is no limit. */
  public long maxErrors() {
    return spec.maxErrors();
  }

  /** The error budget as a share of the events processed ({@link Builder#maxErrorRatio}); 1 when there is no limit. */
  public double maxErrorRatio() {
    return spec.maxErrorRatio();
  }

  /** Dead letters in a row for one reason, before any success, that stop the job ({@link Builder#stopAfterSameFailures}); 0 when off. */
  public long stopAfterSameFailures() {
    return spec.stopAfterSameFailures();
  }

  /** The most shards the selector may list ({@link Builder#maxShards}). */
  public int maxShards() {
    return spec.maxShards();
  }

  /** Whether checkpoints stored under another selection definition are resumed ({@link Builder#acceptChangedSelection}). */
  public boolean acceptChangedSelection() {
    return spec.acceptChangedSelection();
  }

  /** What a run does when another process holds the job's lease ({@link Builder#onRunningElsewhere}). */
  public RunningElsewhere onRunningElsewhere() {
    return spec.onRunningElsewhere();
  }

  /** How long the job's lease lasts unless renewed ({@link Builder#leaseTimeToLive}). */
  public Duration leaseTimeToLive() {
    return spec.leaseTimeToLive();
  }

  /**
   * The time limit of one handler call ({@link Builder#handlerTimeout(Duration)}), or {@code null}
   * when the job delivers to a {@link #sink()}.
   */
  public Duration handlerTimeout() {
    return handlerTimeout;
  }

  /** The job's options, e.g. {@code ReprocessJob[name=backfill, selector=..., pageSize=500, ...]}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(", ", "ReprocessJob[", "]");
    options.forEach((option, value) -> {
      String shown = option.describe(value);
      if (shown != null) {
        joiner.add(shown);
      }
    });
    return joiner.toString();
  }

  /**
   * Mutable builder of a {@link ReprocessJob}; not thread-safe. Setters store values; {@link
   * #build()} checks them all, before any I/O. The required parts are the name, a selector, and
   * exactly one of a handler, a batch handler or a sink. Each option's type, default and rule are
   * declared once (see the README's table of job options).
   */
  public static final class Builder {
    /** The options set, by declaration; an option not set takes its default. */
    private final Map<Option<?>, Object> values = new HashMap<>();
    private final List<JobListener> listeners = new ArrayList<>();
    /** Which of handler and batchHandler were called with a handler, in call order, for build()'s messages. */
    private final Set<String> handlerMethods = new LinkedHashSet<>();

    private Builder(String name) {
      values.put(JobOptions.NAME_OPTION, name);
    }

    private <T> Builder set(Option<T> option, T value) {
      values.put(option, value);
      return this;
    }

    /** The selection; required. */
    public Builder selector(AssetSelector selector) {
      return set(JobOptions.SELECTOR, selector);
    }

    /**
     * Processes events in-process with this handler: each execution wraps it in an in-process sink
     * with a pool of {@code concurrency} threads and the {@link #handlerTimeout(Duration) time
     * limit}, which the job creates and closes. Exactly one of {@code handler}, {@link
     * #batchHandler} and {@link #sink} is required.
     */
    public Builder handler(EventHandler handler) {
      if (handler != null) {
        handlerMethods.add("handler");
      }
      return set(JobOptions.HANDLER, handler);
    }

    /**
     * Processes events in-process in batches with this handler (see {@link BatchEventHandler}): a
     * handler thread takes up to {@code maxBatchSize} events at once, as many as the job's {@code
     * concurrency} has free, and calls the handler once for them; outcomes, retries and dead letters
     * stay per event. Takes the place of {@link #handler(EventHandler)}, with the same threads,
     * {@code concurrency} and {@link #handlerTimeout(Duration) time limit} (of the whole call).
     *
     * @param maxBatchSize the most events of one call, 1 to {@value #MAX_CONCURRENCY}; above {@code
     *     concurrency} it is never reached
     * @throws IllegalArgumentException if {@code handler} is null or {@code maxBatchSize} is out of range
     */
    public Builder batchHandler(BatchEventHandler handler, int maxBatchSize) {
      if (handler == null) {
        throw new IllegalArgumentException("batchHandler is null: it must be the host's BatchEventHandler");
      }
      if (maxBatchSize < 1 || maxBatchSize > MAX_CONCURRENCY) {
        throw new IllegalArgumentException("maxBatchSize is " + maxBatchSize + ": it must be between 1 and "
            + MAX_CONCURRENCY);
      }
      handlerMethods.add("batchHandler");
      return set(JobOptions.HANDLER, new BatchHandler(handler, maxBatchSize));
    }

    /**
     * Delivers events to this sink (for instance a Kafka sink). Exactly one of {@link #handler},
     * {@link #batchHandler} and {@code sink} is required. The job calls {@link EventSink#flush()}
     * before each checkpoint and at the end, and never closes the sink: it is the host's to close,
     * after the job.
     */
    public Builder sink(EventSink sink) {
      return set(JobOptions.SINK, sink);
    }

    /** Assets per page: 1 to {@value ReprocessJob#MAX_PAGE_SIZE}; default {@value ReprocessJob#DEFAULT_PAGE_SIZE}. */
    public Builder pageSize(int pageSize) {
      return set(JobOptions.PAGE_SIZE, pageSize);
    }

    /** Shards read at once: 1 to {@value ReprocessJob#MAX_SHARDS_IN_PARALLEL}; default {@value ReprocessJob#DEFAULT_SHARDS_IN_PARALLEL}. */
    public Builder shardsInParallel(int shardsInParallel) {
      return set(JobOptions.SHARDS_IN_PARALLEL, shardsInParallel);
    }

    /**
     * The most shards the selector may list for this job, in total (whatever its shape: types x
     * buckets, token ranges, id chunks): 1 to {@value ReprocessJob#MAX_MAX_SHARDS}; default
     * {@value ReprocessJob#DEFAULT_MAX_SHARDS}. A run whose selector lists more fails before it
     * reads or writes a checkpoint or delivers an event, with an {@link IllegalArgumentException}
     * naming this option, its value and the count: each shard costs queries and a checkpoint row,
     * so a window or bucket size chosen by mistake (100 years of hourly buckets) is refused instead
     * of run.
     */
    public Builder maxShards(int maxShards) {
      return set(JobOptions.MAX_SHARDS, maxShards);
    }

    /**
     * Events in flight at most, across shards: 1 to {@value ReprocessJob#MAX_CONCURRENCY}. The
     * upper bound of the limit when {@link #adaptiveConcurrency(boolean)} is on. With a {@link
     * #handler} it bounds the handler calls at once: an event is in flight from the moment a
     * handler thread starts it (the shard's reader hands the pool whole pages ahead, up to 16 per
     * shard) until its final outcome, and it is also the size of the handler pool; default {@value
     * ReprocessJob#DEFAULT_CONCURRENCY}. With a {@link #sink} an event is in flight until the sink
     * completes its delivery (for a Kafka sink, until the broker acknowledged it); default the
     * sink's {@link EventSink#defaultConcurrency()} (1,000 for the Kafka sink).
     */
    public Builder concurrency(int concurrency) {
      return set(JobOptions.CONCURRENCY, concurrency);
    }

    /**
     * Attempts per second at most, retries included: 0 (the default) for no limit (negative values
     * and -0.0 are refused), otherwise
     * {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
     * Fractions are allowed (0.5 is one event every 2 s). Permits are spaced evenly, without bursts.
     */
    public Builder maxEventsPerSecond(double maxEventsPerSecond) {
      return set(JobOptions.MAX_EVENTS_PER_SECOND_OPTION, maxEventsPerSecond);
    }

    /**
     * Lets the limit on events in flight move between {@link #minConcurrency(int) minConcurrency}
     * and {@link #concurrency(int) concurrency}, starting at {@code concurrency}: the {@link
     * #limitAlgorithm(LimitAlgorithm) limitAlgorithm} lowers it when the {@link
     * #pressureSignal(PressureSignal) pressureSignal} says the backend suffers (latency rising,
     * drops) and raises it when it recovers. Default false: a fixed limit of {@code concurrency}.
     * The current limit is in {@link JobProgress} and the gauge {@code reprocess.concurrency.limit}.
     */
    public Builder adaptiveConcurrency(boolean adaptiveConcurrency) {
      return set(JobOptions.ADAPTIVE_CONCURRENCY, adaptiveConcurrency);
    }

    /**
     * The adaptive limit's algorithm; default {@link LimitAlgorithm#GRADIENT2}. Only with {@link
     * #adaptiveConcurrency(boolean) adaptiveConcurrency(true)}: {@link #build()} refuses it
     * otherwise.
     */
    public Builder limitAlgorithm(LimitAlgorithm limitAlgorithm) {
      return set(JobOptions.LIMIT_ALGORITHM, limitAlgorithm);
    }

    /**
     * The lowest the adaptive limit goes: 1 (the default) to {@code concurrency}. A floor keeps a
     * job moving when the signal is noisy. Only with {@link #adaptiveConcurrency(boolean)
     * adaptiveConcurrency(true)}: {@link #build()} refuses it otherwise.
     */
    public Builder minConcurrency(int minConcurrency) {
      return set(JobOptions.MIN_CONCURRENCY, minConcurrency);
    }

    /**
     * What the adaptive limit learns from; default {@link PressureSignal#handlerLatency()}: each
     * successful attempt's latency, and attempts that time out or fail with a {@link
     * RetriableException} or {@link BackendUnavailableException} as drops. Give the signal of the
     * backend production depends on to protect production rather than the handler (e.g. {@code
     * DriverPressureSignal} on the host's Cassandra session, {@link
     * dev.reprocess.pressure.TimerPressureSignal} on the host's own p99 timer). The job subscribes
     * when it starts delivering and unsubscribes when it ends; the host owns the signal. Only with
     * {@link #adaptiveConcurrency(boolean) adaptiveConcurrency(true)}: {@link #build()} refuses it
     * otherwise.
     */
    public Builder pressureSignal(PressureSignal pressureSignal) {
      return set(JobOptions.PRESSURE_SIGNAL, pressureSignal);
    }

    /**
     * Scales {@link #maxEventsPerSecond(double) maxEventsPerSecond} by the adaptive limit: the rate
     * is {@code maxEventsPerSecond × limit / concurrency} (at least {@value
     * ReprocessJob#MIN_EVENTS_PER_SECOND}), changed when it moves by 5% or more. For a sink whose
     * deliveries complete on an acknowledgement (the Kafka sink), where events in flight bound the
     * sends but not the work the workers then do against production: the pressure signal (e.g.
     * {@code DriverPressureSignal}) then slows the events sent per second. {@link
     * JobExecution#rethrottle} sets the rate being scaled. Default false. Only with {@link
     * #adaptiveConcurrency(boolean) adaptiveConcurrency(true)} and a {@code maxEventsPerSecond}:
     * {@link #build()} refuses it otherwise.
     */
    public Builder adaptiveRate(boolean adaptiveRate) {
      return set(JobOptions.ADAPTIVE_RATE, adaptiveRate);
    }

    /** Retry options; default {@link RetryOptions#ofDefaults()}. */
    public Builder retry(RetryOptions retry) {
      return set(JobOptions.RETRY, retry);
    }

    /**
     * Where events go after their retries. Default: a {@link LoggingDeadLetterSink}, which logs
     * each dead letter at WARN with the event as JSON (replayable from the log, and nothing is kept
     * in memory); use a file or Kafka dead-letter sink to keep them.
     */
    public Builder deadLetterSink(DeadLetterSink deadLetterSink) {
      return set(JobOptions.DEAD_LETTER_SINK, deadLetterSink);
    }

    /**
     * Where checkpoints go. Default: a new {@link InMemoryCheckpointStore} per job object (resume
     * then works only within one JVM and for this job object); use a file or Cassandra store to
     * resume after a restart of the process.
     */
    public Builder checkpointStore(CheckpointStore checkpointStore) {
      return set(JobOptions.CHECKPOINT_STORE, checkpointStore);
    }

    /** Adds a listener; may be called several times. */
    public Builder listener(JobListener listener) {
      this.listeners.add(listener);
      return this;
    }

    /** Where meters are registered; default Micrometer's {@link Metrics#globalRegistry}. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      return set(JobOptions.METER_REGISTRY, meterRegistry);
    }

    /**
     * The clock for event and checkpoint timestamps, durations, rates, retry backoff and the rate
     * limiter; default {@link Clock#systemUTC()}. Inject a controllable clock in tests: waits
     * (backoff, rate) elapse when that clock advances, not in real time.
     */
    public Builder clock(Clock clock) {
      return set(JobOptions.CLOCK, clock);
    }

    /** Deletes the job's checkpoints before running, so every shard starts over; default false. */
    public Builder restart(boolean restart) {
      return set(JobOptions.RESTART, restart);
    }

    /**
     * Resumes the job's checkpoints although the selector's {@link
     * AssetSelector#selectionDefinition() definition} differs from the one stored with them (the
     * run logs a warning naming what changed, and stores the new definition); default false: such
     * a run fails before reading or writing anything, with a message naming what changed. Use it
     * when the host knows the change keeps the checkpoints valid (a shard id still means the same
     * assets); use {@link #restart(boolean) restart(true)} to start over instead.
     */
    public Builder acceptChangedSelection(boolean accept) {
      return set(JobOptions.ACCEPT_CHANGED_SELECTION, accept);
    }

    /**
     * What a run does when another process holds the job's {@link JobLease lease} (runs it):
     * default {@link RunningElsewhere#TAKE_OVER_EXPIRED}: a live lease fails the run, naming the
     * holder and its last renewal, before anything is read or written; an expired one (its holder
     * crashed) is taken over with a higher fencing token. Only with a checkpoint store that has leases (the
     * built-in ones); with another store the job runs without exclusivity, with a warning.
     */
    public Builder onRunningElsewhere(RunningElsewhere onRunningElsewhere) {
      return set(JobOptions.ON_RUNNING_ELSEWHERE, onRunningElsewhere);
    }

    /**
     * How long the job's lease lasts unless renewed; the run renews it every third of it. A run
     * that cannot renew it in time (frozen, cut off from the store) loses it: another process may
     * take over, and the run fails with none of its later checkpoint writes landing. 1 s to 1 h;
     * default 30 s ({@link ReprocessJob#DEFAULT_LEASE_TIME_TO_LIVE}). It bounds how soon another
     * process can take over after a crash.
     */
    public Builder leaseTimeToLive(Duration leaseTimeToLive) {
      return set(JobOptions.LEASE_TIME_TO_LIVE, leaseTimeToLive);
    }

    /**
     * Fails the job at the first event that fails after its retries (that event is still
     * dead-lettered); default false: failures are dead-lettered and the job goes on.
     */
    public Builder failFast(boolean failFast) {
      return set(JobOptions.FAIL_FAST, failFast);
    }

    /**
     * The least time between two rounds of checkpoint writes: 0 to 1 h; default 1 s ({@link
     * ReprocessJob#DEFAULT_CHECKPOINT_INTERVAL}). Checkpoints are written in the background, in
     * rounds: each writes the newest checkpoint of every shard that has one pending, together
     * ({@link JobLease#saveAll}), covering every page that became final since the shard's previous
     * write; every shard's latest one is written at once when the job ends (completed, cancelled,
     * failed). Under a lease each round is fenced (with Cassandra, a lightweight transaction per
     * batch of shards), so the interval is what keeps the lease's cost low. A crash re-delivers
     * the pages in flight and those that became final since the last round: about {@code
     * checkpointInterval} of work of every shard read in that time, including shards whose
     * reading ended within it (their last checkpoint not yet written). 0 writes after every page
     * (at most 4 final pages of a shard unwritten, and a shard's reader waits for its last write),
     * as small as the re-delivery gets.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule when out of range
     */
    public Builder checkpointInterval(Duration checkpointInterval) {
      return set(JobOptions.CHECKPOINT_INTERVAL, checkpointInterval);
    }

    /**
     * How long work waits for a backend that is unavailable (a sink, checkpoint store or
     * dead-letter sink throwing or completing with {@link BackendUnavailableException}) before the
     * job fails: positive, at most 24 h; default 5 min ({@link
     * ReprocessJob#DEFAULT_OUTAGE_BUDGET}). While it waits, no event is counted as an attempt,
     * dead-lettered or checkpointed, and the log says which backend the job is WAITING for.
     */
    public Builder outageBudget(Duration outageBudget) {
      return set(JobOptions.OUTAGE_BUDGET, outageBudget);
    }

    /**
     * The error budget as a count, like DSBulk's {@code maxErrors N}: the job fails once more than
     * {@code maxErrors} events of the run were dead-lettered (the ones dead-lettered so far stay
     * dead-lettered, and the pages not final are delivered again by the next run): 0 or more;
     * default no limit ({@link Long#MAX_VALUE}). {@code maxErrors(0)} is {@link #failFast(boolean)
     * failFast(true)}. May be combined with {@link #maxErrorRatio(double)}: the first exceeded
     * fails the job.
     */
    public Builder maxErrors(long maxErrors) {
      return set(JobOptions.MAX_ERRORS, maxErrors);
    }

    /**
     * The error budget as a share of the events processed so far, like DSBulk's {@code maxErrors
     * N%}: the job fails once more than {@code maxErrorRatio x processed} events of the run were
     * dead-lettered, where processed counts the events of the run that are final (succeeded,
     * skipped or dead-lettered). More than 0 and at most 1: {@code 0.05} is 5%; default 1 (no
     * limit). Checked once 100 events were processed, so one early dead letter does not fail
     * a small budget; at the end of a run, processed is every asset selected in it. Combined with
     * {@link #maxErrors(long)}: the first exceeded fails the job, the same way.
     */
    public Builder maxErrorRatio(double maxErrorRatio) {
      return set(JobOptions.MAX_ERROR_RATIO, maxErrorRatio);
    }

    /**
     * Stops a job whose every event fails the same way: the job fails once {@code
     * stopAfterSameFailures} events in a row were dead-lettered for the same reason (the class of
     * the root cause of their final failure, e.g. a handler's {@code NullPointerException}, or the
     * {@code RecordTooLargeException} of every record a topic rejects) while no event of the run
     * has succeeded or been skipped. After the first success in the run it never fires ({@link
     * #maxErrors(long)} still applies); dead letters of another reason start the count over. The
     * failure names this option, the count and the reason; the dead letters written stay, and the
     * events not yet final are delivered again by the next run. 0 turns it off; default {@value
     * ReprocessJob#DEFAULT_STOP_AFTER_SAME_FAILURES}. Independent of {@code maxErrors}, and of the
     * preflight, which catches a sink that cannot deliver at all before the first event.
     */
    public Builder stopAfterSameFailures(long stopAfterSameFailures) {
      return set(JobOptions.STOP_AFTER_SAME_FAILURES, stopAfterSameFailures);
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
      return set(JobOptions.HANDLER_TIMEOUT, handlerTimeout);
    }

    /**
     * Checks every option and builds the job; does no I/O.
     *
     * @throws IllegalArgumentException naming the first bad option, its value and the rule
     */
    public ReprocessJob build() {
      Map<Option<?>, Object> resolved = new LinkedHashMap<>();
      for (Option<?> option : JobOptions.ALL) {
        if (option != JobOptions.LISTENER) {
          resolved.put(option, option.resolve(values));
        }
      }
      EventHandler handler = (EventHandler) resolved.get(JobOptions.HANDLER);
      EventSink sink = (EventSink) resolved.get(JobOptions.SINK);
      HandlerChecks.checkOne(handlerMethods, handler, sink);
      for (int i = 0; i < listeners.size(); i++) {
        JobOptions.LISTENER.check(listeners.get(i), "listener #" + (i + 1));
      }
      if (sink != null) {
        if (values.containsKey(JobOptions.HANDLER_TIMEOUT)) {
          throw new IllegalArgumentException("handlerTimeout is set (" + values.get(JobOptions.HANDLER_TIMEOUT)
              + ") but the job delivers to the sink " + sink.describe() + ": handlerTimeout applies only "
              + "to a job with a handler; a sink's deliveries have their own limits");
        }
        resolved.put(JobOptions.HANDLER_TIMEOUT, null);
        if (!values.containsKey(JobOptions.CONCURRENCY)) {
          resolved.put(JobOptions.CONCURRENCY, concurrencyOf(sink));
        }
      }
      checkAdaptive(resolved);
      return new ReprocessJob(resolved, List.copyOf(listeners));
    }

    /** The adaptive limit's options need adaptiveConcurrency, and their bounds must fit. */
    private void checkAdaptive(Map<Option<?>, Object> resolved) {
      if (!(Boolean) resolved.get(JobOptions.ADAPTIVE_CONCURRENCY)) {
        for (Option<?> o : List.of(JobOptions.LIMIT_ALGORITHM, JobOptions.MIN_CONCURRENCY, JobOptions.PRESSURE_SIGNAL,
            JobOptions.ADAPTIVE_RATE)) {
          if (values.containsKey(o)) {
            throw new IllegalArgumentException(o.name() + " is set (" + resolved.get(o) + ") but "
                + "adaptiveConcurrency is false: " + o.name() + " applies only to an adaptive limit; "
                + "call adaptiveConcurrency(true) or remove it");
          }
        }
        return;
      }
      if ((Boolean) resolved.get(JobOptions.ADAPTIVE_RATE)
          && (Double) resolved.get(JobOptions.MAX_EVENTS_PER_SECOND_OPTION) == 0) {
        throw new IllegalArgumentException("adaptiveRate is true but maxEventsPerSecond is 0 (no limit): "
            + "adaptiveRate scales maxEventsPerSecond by the adaptive limit; set maxEventsPerSecond");
      }
      int min = (Integer) resolved.get(JobOptions.MIN_CONCURRENCY);
      if (min > (Integer) resolved.get(JobOptions.CONCURRENCY)) {
        throw new IllegalArgumentException("minConcurrency is " + min + ": it must be at most concurrency ("
            + resolved.get(JobOptions.CONCURRENCY) + ")");
      }
    }

    /** A job with a sink and no concurrency set takes the sink's default, checked. */
    private static int concurrencyOf(EventSink sink) {
      int fromSink = sink.defaultConcurrency();
      if (fromSink < 1 || fromSink > MAX_CONCURRENCY) {
        throw new IllegalArgumentException("concurrency is not set and the sink " + sink.describe()
            + " gives " + fromSink + " as its defaultConcurrency(): it must be between 1 and "
            + MAX_CONCURRENCY + "; set the job's concurrency explicitly");
      }
      return fromSink;
    }
  }
}
