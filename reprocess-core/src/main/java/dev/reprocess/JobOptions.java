package dev.reprocess;

import static dev.reprocess.ReprocessJob.DEFAULT_CONCURRENCY;
import static dev.reprocess.ReprocessJob.DEFAULT_HANDLER_TIMEOUT;
import static dev.reprocess.ReprocessJob.DEFAULT_LEASE_TIME_TO_LIVE;
import static dev.reprocess.ReprocessJob.DEFAULT_PAGE_SIZE;
import static dev.reprocess.ReprocessJob.DEFAULT_SHARDS_IN_PARALLEL;
import static dev.reprocess.ReprocessJob.MAX_CONCURRENCY;
import static dev.reprocess.ReprocessJob.MAX_EVENTS_PER_SECOND;
import static dev.reprocess.ReprocessJob.MAX_HANDLER_TIMEOUT;
import static dev.reprocess.ReprocessJob.MAX_LEASE_TIME_TO_LIVE;
import static dev.reprocess.ReprocessJob.MIN_LEASE_TIME_TO_LIVE;
import static dev.reprocess.ReprocessJob.MAX_PAGE_SIZE;
import static dev.reprocess.ReprocessJob.MAX_SHARDS_IN_PARALLEL;
import static dev.reprocess.ReprocessJob.MIN_EVENTS_PER_SECOND;
import static dev.reprocess.ReprocessJob.NAME_PATTERN;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.LoggingDeadLetterSink;
import dev.reprocess.internal.BatchHandler;
import dev.reprocess.internal.ErrorBudget;
import dev.reprocess.internal.Option;
import dev.reprocess.internal.Option.Rule;
import dev.reprocess.internal.RateThrottle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every {@link ReprocessJob} option, declared once: name, type, default, rule and doc. The
 * builder's checks and messages, {@link ReprocessJob#toString()} and the README's {@code ## Job
 * options} table (checked by a test) come from here. Cross-option rules (exactly one of handler
 * and sink, {@code handlerTimeout} only with a handler, a sink's default concurrency) are in
 * {@link ReprocessJob.Builder#build()}.
 */
final class JobOptions {

  private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

  static final Option<String> NAME_OPTION = Option.<String>define("name", "String", () -> null,
      "required", Rule.of("1 to 200 of `A-Z a-z 0-9 . _ -`, not `.` or `..`", JobOptions::nameProblem),
      "Keys checkpoints, logs and metrics; becomes part of file and topic names.");

  static final Option<AssetSelector> SELECTOR = Option.<AssetSelector>define("selector",
      "AssetSelector", () -> null, "required", Rule.notNull("not null",
          "a job requires a selector"),
      "Which assets the job visits, split into shards.").describedBy(AssetSelector::describe);

  static final Option<EventHandler> HANDLER = Option.<EventHandler>define("handler", "EventHandler",
      () -> null, "none", Rule.of("exactly one of `handler` and `sink`", h -> null),
      "Processes events in-process on `concurrency` threads the job owns; the job creates and closes its in-process sink. `batchHandler(h, maxBatchSize)` sets a `BatchEventHandler` instead.")
      .describedBy(h -> h instanceof BatchHandler b ? "in-process, batches of up to " + b.maxBatchSize() : "in-process");

  static final Option<EventSink> SINK = Option.<EventSink>define("sink", "EventSink", () -> null,
      "none", Rule.of("exactly one of `handler` and `sink`", sink -> null),
      "Delivers events to this sink (e.g. Kafka), which the host closes, never the job.")
      .describedBy(EventSink::describe);

  static final Option<Integer> PAGE_SIZE = Option.define("pageSize", "int", () -> DEFAULT_PAGE_SIZE,
      String.valueOf(DEFAULT_PAGE_SIZE), Rule.between(1, MAX_PAGE_SIZE), "Assets per page.");

  static final Option<Integer> SHARDS_IN_PARALLEL = Option.define("shardsInParallel", "int",
      () -> DEFAULT_SHARDS_IN_PARALLEL, String.valueOf(DEFAULT_SHARDS_IN_PARALLEL),
      Rule.between(1, MAX_SHARDS_IN_PARALLEL), "Shards read at once.");

  static final Option<Integer> MAX_SHARDS = Option.define("maxShards", "int",
      () -> ReprocessJob.DEFAULT_MAX_SHARDS, String.valueOf(ReprocessJob.DEFAULT_MAX_SHARDS),
      Rule.between(1, ReprocessJob.MAX_MAX_SHARDS),
      "Shards the selector may list in total; a run with more fails before anything is read or written.");

  static final Option<Integer> CONCURRENCY = Option.define("concurrency", "int",
      () -> DEFAULT_CONCURRENCY, DEFAULT_CONCURRENCY + " with a handler, the sink's `defaultConcurrency()` with a sink",
      Rule.between(1, MAX_CONCURRENCY),
      "Events in flight at most, across shards (the upper bound when adaptive); with a handler, its handler calls at once (an event is in flight from the moment a handler thread starts it).");

  static final Option<Double> MAX_EVENTS_PER_SECOND_OPTION = Option.define("maxEventsPerSecond",
      "double", () -> 0.0, "0 (no limit)",
      Rule.of("0, or " + MIN_EVENTS_PER_SECOND + " to " + MAX_EVENTS_PER_SECOND,
          RateThrottle::rateProblem),
      "Attempts per second at most, retries included; permits spaced evenly, without bursts.");

  static final Option<Boolean> ADAPTIVE_CONCURRENCY = Option.define("adaptiveConcurrency",
      "boolean", () -> false, "false", Rule.any(),
      "Moves the limit on events in flight between `minConcurrency` and `concurrency` with the `pressureSignal`, by the `limitAlgorithm`.");

  static final Option<LimitAlgorithm> LIMIT_ALGORITHM = Option.define("limitAlgorithm", "LimitAlgorithm",
      () -> LimitAlgorithm.GRADIENT2, "`GRADIENT2`", Rule.notNull("not null", "pass GRADIENT2, VEGAS or AIMD"),
      "The adaptive limit's algorithm (Netflix concurrency-limits): `GRADIENT2` follows the latency trend, `VEGAS` the queue over the best latency, `AIMD` drops only. Only with `adaptiveConcurrency`.");

  static final Option<Integer> MIN_CONCURRENCY = Option.define("minConcurrency", "int", () -> 1, "1",
      Rule.between(1, MAX_CONCURRENCY),
      "The lowest the adaptive limit goes, at most `concurrency`. Only with `adaptiveConcurrency`.");

  static final Option<PressureSignal> PRESSURE_SIGNAL = Option.<PressureSignal>define("pressureSignal",
      "PressureSignal", PressureSignal::handlerLatency, "`PressureSignal.handlerLatency()`",
      Rule.notNull("not null", "pass a signal, or do not call pressureSignal for the handler's latency"),
      "What the adaptive limit learns from: latency samples and drops (time-outs, overloaded or unavailable). Only with `adaptiveConcurrency`.")
      .describedBy(PressureSignal::describe);

  static final Option<Boolean> ADAPTIVE_RATE = Option.define("adaptiveRate", "boolean", () -> false, "false",
      Rule.any(),
      "Scales `maxEventsPerSecond` by the adaptive limit (rate = maxEventsPerSecond × limit / concurrency), for a sink whose deliveries complete on an acknowledgement. Only with `adaptiveConcurrency` and `maxEventsPerSecond`.");

  static final Option<RetryOptions> RETRY = Option.define("retry", "RetryOptions",
      RetryOptions::ofDefaults, "`RetryOptions.ofDefaults()`",
      Rule.notNull("not null", "pass RetryOptions (RetryOptions.noRetry() for no retries)"),
      "Attempts per event and the backoff between them.");

  static final Option<DeadLetterSink> DEAD_LETTER_SINK = Option.<DeadLetterSink>define(
      "deadLetterSink", "DeadLetterSink", LoggingDeadLetterSink::new, "a `LoggingDeadLetterSink`",
      Rule.notNull("not null", "pass a sink, or do not call deadLetterSink for the default"),
      "Where events go after their retries; never closed by the job.")
      .describedBy(DeadLetterSink::describe);

  static final Option<CheckpointStore> CHECKPOINT_STORE = Option.<CheckpointStore>define(
      "checkpointStore", "CheckpointStore", InMemoryCheckpointStore::new,
      "a new `InMemoryCheckpointStore` per job object",
      Rule.notNull("not null", "pass a store, or do not call checkpointStore for the default"),
      "Where checkpoints go; a persistent store resumes after a restart of the process.")
      .describedBy(store -> null);

  static final Option<JobListener> LISTENER = Option.<JobListener>define("listener",
      "JobListener, repeatable", () -> null, "none", Rule.notNull("not null", "listeners must be non-null"),
      "Told of the job's, shards' and events' progress, in registration order.")
      .describedBy(listener -> null);

  static final Option<MeterRegistry> METER_REGISTRY = Option.<MeterRegistry>define("meterRegistry",
      "MeterRegistry", () -> Metrics.globalRegistry, "`Metrics.globalRegistry`",
      Rule.notNull("not null", "pass a registry, or do not call meterRegistry for the global one"),
      "Where the job's Micrometer meters go.").describedBy(registry -> null);

  static final Option<Clock> CLOCK = Option.<Clock>define("clock", "Clock", Clock::systemUTC,
      "`Clock.systemUTC()`", Rule.notNull("not null", "pass a clock, e.g. Clock.systemUTC()"),
      "Time of timestamps, durations, rates, backoff, the rate limit and the handler time limit.")
      .describedBy(clock -> null);

  static final Option<Boolean> RESTART = Option.define("restart", "boolean", () -> false, "false",
      Rule.any(), "Deletes the job's checkpoints before running, so every shard starts over.");

  static final Option<Boolean> FAIL_FAST = Option.define("failFast", "boolean", () -> false, "false",
      Rule.any(), "Fails the job at the first event that fails after its retries (it is still dead-lettered).");

  static final Option<Boolean> ACCEPT_CHANGED_SELECTION = Option.define("acceptChangedSelection",
      "boolean", () -> false, "false", Rule.any(),
      "Resumes the job's checkpoints although its selection's definition differs from the stored one (logged as a warning); by default such a run is refused, naming what changed.");

  static final Option<RunningElsewhere> ON_RUNNING_ELSEWHERE = Option.define("onRunningElsewhere",
      "RunningElsewhere", () -> RunningElsewhere.TAKE_OVER_EXPIRED, "`TAKE_OVER_EXPIRED`",
      Rule.notNull("not null", "pass FAIL, TAKE_OVER_EXPIRED or WAIT"),
      "When another process holds the job's lease: `TAKE_OVER_EXPIRED` fails naming the holder while its lease is live and takes an expired one over; `FAIL` refuses an expired one too; `WAIT` waits for it, at most `outageBudget`.");

  static final Option<Duration> LEASE_TIME_TO_LIVE = Option.define("leaseTimeToLive", "Duration",
      () -> DEFAULT_LEASE_TIME_TO_LIVE, "30 s", Rule.of("1 s to 1 h", JobOptions::leaseProblem),
      "How long the job's lease lasts unless renewed (every third of it); bounds the takeover after a crash.");

  static final Option<Duration> HANDLER_TIMEOUT = Option.define("handlerTimeout", "Duration",
      () -> DEFAULT_HANDLER_TIMEOUT, "60 s", Rule.of("positive, at most 24 h",
          JobOptions::handlerTimeoutProblem),
      "Time limit of one handler call; a call past it fails its attempt and its thread is replaced. Only with a handler.");

  static final Option<Duration> OUTAGE_BUDGET = Option.define("outageBudget", "Duration",
      () -> ReprocessJob.DEFAULT_OUTAGE_BUDGET, "5 min", Rule.of("positive, at most 24 h",
          JobOptions::handlerTimeoutProblem),
      "How long work waits for an unavailable backend (`BackendUnavailableException`) before the job fails; nothing is dead-lettered or checkpointed meanwhile.");

  static final Option<Duration> CHECKPOINT_INTERVAL = Option.define("checkpointInterval", "Duration",
      () -> ReprocessJob.DEFAULT_CHECKPOINT_INTERVAL, "1 s", Rule.of("0 to 1 h",
          JobOptions::checkpointIntervalProblem),
      "Least time between two rounds of checkpoint writes (in the background; each round writes every shard's newest checkpoint together; all pending at the job's end, at once); 0: rounds back to back, a shard's reader waiting at 4 unwritten pages. A crash re-delivers about this much work of every shard read in it (those whose reading ended within it too) besides the pages in flight.");

  static final Option<Long> MAX_ERRORS = Option.define("maxErrors", "long", () -> Long.MAX_VALUE,
      "no limit", Rule.of("0 or more", n -> n == null || n < 0 ? "it must be 0 or more" : null),
      "Fails the job once more events than this were dead-lettered (the error budget); 0 is `failFast`.")
      .describedBy(n -> n == Long.MAX_VALUE ? null : String.valueOf(n));

  static final Option<Double> MAX_ERROR_RATIO = Option.define("maxErrorRatio", "double",
      () -> ErrorBudget.NO_RATIO_LIMIT, "1 (no limit)", Rule.of("more than 0, at most 1",
          JobOptions::ratioProblem),
      "Fails the job once more than this share of the events processed so far were dead-lettered (0.05 is 5%, DSBulk's `maxErrors` `N%`), checked from "
          + ErrorBudget.MIN_PROCESSED_FOR_RATIO + " processed on.")
      .describedBy(r -> r == ErrorBudget.NO_RATIO_LIMIT ? null : String.valueOf(r));

  static final Option<Long> STOP_AFTER_SAME_FAILURES = Option.define("stopAfterSameFailures", "long",
      () -> ReprocessJob.DEFAULT_STOP_AFTER_SAME_FAILURES,
      String.valueOf(ReprocessJob.DEFAULT_STOP_AFTER_SAME_FAILURES),
      Rule.of("0 (off) or more", n -> n == null || n < 0 ? "it must be 0 (off) or more" : null),
      "Fails the job once this many events in a row were dead-lettered for the same reason (root cause's class) before any event of the run succeeded; 0 turns it off.");

  /** In the order of the table and of {@code toString}. */
  static final List<Option<?>> ALL = List.of(NAME_OPTION, SELECTOR, HANDLER, SINK, PAGE_SIZE,
      SHARDS_IN_PARALLEL, MAX_SHARDS, CONCURRENCY, MAX_EVENTS_PER_SECOND_OPTION, ADAPTIVE_CONCURRENCY,
      LIMIT_ALGORITHM, MIN_CONCURRENCY, PRESSURE_SIGNAL, ADAPTIVE_RATE, RETRY,
      DEAD_LETTER_SINK, CHECKPOINT_STORE, LISTENER, METER_REGISTRY, CLOCK, RESTART, FAIL_FAST,
      HANDLER_TIMEOUT, OUTAGE_BUDGET, MAX_ERRORS, ACCEPT_CHANGED_SELECTION, ON_RUNNING_ELSEWHERE,
      LEASE_TIME_TO_LIVE, MAX_ERROR_RATIO, STOP_AFTER_SAME_FAILURES, CHECKPOINT_INTERVAL);

  private JobOptions() {}

  /** The reference table of options, as the README shows it. */
  static String markdownTable() {
    return Option.markdownTable(ALL);
  }

  private static String nameProblem(String name) {
    if (".".equals(name) || "..".equals(name)) {
      return "it must not be '.' or '..' (a job name becomes part of file names), see ReprocessJob.NAME_PATTERN";
    }
    if (name == null || !NAME.matcher(name).matches()) {
      return "it must be 1 to 200 of A-Z a-z 0-9 . _ - (the regular expression " + NAME_PATTERN + ")";
    }
    return null;
  }

  private static String ratioProblem(Double ratio) {
    return ratio == null || !(ratio > 0 && ratio <= 1)
        ? "it must be more than 0 and at most 1 (0.05 is 5%; 1 is no limit; maxErrors(0) fails at the first dead letter)"
        : null;
  }

  private static String leaseProblem(Duration ttl) {
    boolean bad = ttl == null || ttl.compareTo(MIN_LEASE_TIME_TO_LIVE) < 0
        || ttl.compareTo(MAX_LEASE_TIME_TO_LIVE) > 0;
    return bad ? "it must be " + MIN_LEASE_TIME_TO_LIVE + " to " + MAX_LEASE_TIME_TO_LIVE : null;
  }

  private static String checkpointIntervalProblem(Duration interval) {
    boolean bad = interval == null || interval.isNegative() || interval.compareTo(Duration.ofHours(1)) > 0;
    return bad ? "it must be 0 (after every page) to 1 hour" : null;
  }

  private static String handlerTimeoutProblem(Duration timeout) {
    boolean bad = timeout == null || timeout.isZero() || timeout.isNegative()
        || timeout.compareTo(MAX_HANDLER_TIMEOUT) > 0;
    return bad ? "it must be positive and at most " + MAX_HANDLER_TIMEOUT + " (24 hours)" : null;
  }
}
