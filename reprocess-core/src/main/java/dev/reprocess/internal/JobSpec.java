package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.EventSink;
import dev.reprocess.JobListener;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.RetryOptions;
import dev.reprocess.RunningElsewhere;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything one job's executions need, checked and immutable: what {@code ReprocessJob.Builder}
 * produces and the engine ({@link JobRun}) reads. The engine never sees the builder or the job
 * object, the way the Cassandra driver's session reads an {@code InternalDriverContext} and never
 * its {@code SessionBuilder}.
 *
 * @param name the job's name, valid
 * @param description the job's options as one line, for the start log; computed when asked, since
 *     it calls the selector's and sink's {@code describe()}, and building a job calls neither
 * @param selector the selection
 * @param sink where events go, and who owns the sink
 * @param pageSize assets per page
 * @param shardsInParallel shards read at once
 * @param concurrency events in flight at most (the upper bound when adaptive)
 * @param maxEventsPerSecond attempts per second at most; 0 for no limit
 * @param adaptiveConcurrency whether the limit on events in flight follows latency
 * @param retry the retry options of events
 * @param deadLetterSink where events go after their retries
 * @param checkpointStore where checkpoints go
 * @param listeners listeners, in registration order
 * @param meterRegistry where meters go
 * @param clock time of timestamps, durations, backoff and the rate limit
 * @param restart whether the job's checkpoints are deleted before running
 * @param failFast whether the first dead letter fails the job
 * @param maxShards the most shards the selector may list, in total
 * @param outageBudget how long work waits for an unavailable backend before the job fails
 * @param maxErrors dead letters the job tolerates before failing; {@code Long.MAX_VALUE} for no limit
 * @param acceptChangedSelection whether checkpoints stored under another selection definition are
 *     resumed
 * @param onRunningElsewhere what to do when another owner holds the job's lease
 * @param leaseTimeToLive how long the job's lease lasts unless renewed
 * @param maxErrorRatio dead letters the job tolerates per processed event; 1 for no limit
 * @param stopAfterSameFailures dead letters in a row for one reason, before any success, that stop
 *     the job; 0 for off
 * @param checkpointInterval the least time between two checkpoint writes of a shard; 0 for every page
 * @param adaptive how an adaptive limit moves (used only with {@code adaptiveConcurrency})
 */
public record JobSpec(
    String name,
    Supplier<String> description,
    AssetSelector selector,
    SinkSource sink,
    int pageSize,
    int shardsInParallel,
    int concurrency,
    double maxEventsPerSecond,
    boolean adaptiveConcurrency,
    RetryOptions retry,
    DeadLetterSink deadLetterSink,
    CheckpointStore checkpointStore,
    List<JobListener> listeners,
    MeterRegistry meterRegistry,
    Clock clock,
    boolean restart,
    boolean failFast,
    int maxShards,
    java.time.Duration outageBudget,
    long maxErrors,
    boolean acceptChangedSelection,
    RunningElsewhere onRunningElsewhere,
    Duration leaseTimeToLive,
    double maxErrorRatio,
    long stopAfterSameFailures,
    Duration checkpointInterval,
    Adaptive adaptive) {

  public JobSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(deadLetterSink, "deadLetterSink");
    Objects.requireNonNull(checkpointStore, "checkpointStore");
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(outageBudget, "outageBudget");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(adaptive, "adaptive");
  }

  /**
   * How an adaptive job's limit on events in flight moves.
   *
   * @param algorithm the limit algorithm
   * @param minConcurrency the lowest limit, 1 to {@code concurrency}
   * @param signal what the algorithm learns from
   * @param scaleRate whether {@code maxEventsPerSecond} is scaled by the limit ({@code adaptiveRate})
   */
  public record Adaptive(LimitAlgorithm algorithm, int minConcurrency, PressureSignal signal, boolean scaleRate) {

    public Adaptive {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(signal, "signal");
    }
  }

  /** The error budget of each execution: {@code maxErrors}, {@code maxErrorRatio}, {@code stopAfterSameFailures}. */
  public ErrorBudget errorBudget() {
    return new ErrorBudget(maxErrors, maxErrorRatio, stopAfterSameFailures);
  }

  /** Prefix of every log line and error message of the job: {@code job '<name>': }. */
  public String logPrefix() {
    return "job '" + name + "': ";
  }

  /**
   * Where an execution gets its sink, and whose it is. A sink the job owns (made from the host's
   * handler) is opened for each execution and closed at its end; its deliveries complete on the
   * sink's own threads, which may settle outcomes (write dead letters) there. A sink the host
   * passed in is the host's: never closed by the job, and its completion threads (a Kafka
   * producer's I/O thread) are not the job's to block, so outcomes are settled on the job's pool.
   *
   * @param open gives the sink of one execution
   * @param ownedByJob whether the job created the sink and closes it
   */
  public record SinkSource(Supplier<EventSink> open, boolean ownedByJob) {

    public SinkSource {
      Objects.requireNonNull(open, "open");
    }

    /** A sink the host built and passed in: the same one for every execution, never closed. */
    public static SinkSource ofHost(EventSink sink) {
      Objects.requireNonNull(sink, "sink");
      return new SinkSource(() -> sink, false);
    }

    /** A sink the job makes for each execution and closes at its end. */
    public static SinkSource ownedByJob(Supplier<EventSink> factory) {
      return new SinkSource(factory, true);
    }
  }
}
