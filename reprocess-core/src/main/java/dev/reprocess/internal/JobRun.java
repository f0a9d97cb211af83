package dev.reprocess.internal;

import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.Cursor;
import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.DeadLetters;

import dev.reprocess.EventHandler;
import dev.reprocess.EventSink;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.JobExecution;
import dev.reprocess.JobListener;
import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.JobTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetriableException;
import dev.reprocess.RetryOptions;
import dev.reprocess.Shard;
import dev.reprocess.ShardProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a {@link ReprocessJob}: the engine. It joins the selection (shards, pages) to
 * the sink (events, outcomes), with the throttle, retries, dead letters and checkpoints in
 * between.
 *
 * <p>Threads: one coordinator ({@code reprocess-<job>}) reads shards and checkpoints and waits for
 * the end; {@code shardsInParallel} shard readers ({@code reprocess-<job>-shard-N}) read pages,
 * turn assets into events, take a concurrency permit per event (blocking: this is the
 * back-pressure), and write checkpoints; the sink's threads (the direct sink's handler pool) run
 * attempts and settle outcomes (the direct sink adds a watchdog thread timing out handler calls
 * that run past {@code handlerTimeout}, replacing their threads); one timer thread ({@code reprocess-<job>-timer}) fires delayed
 * attempts (retry backoff, rate limit). For an external sink, outcomes are settled on a small
 * completion pool, never on the sink's own callback thread (a Kafka producer's I/O thread must not
 * block on a dead-letter sink).
 *
 * <p>Per shard, at most two pages are in flight: the reader dispatches page N+1 while page N
 * finishes, then waits for page N, flushes the sink and writes the checkpoint after page N. Pages
 * are checkpointed in order; once a page cannot be checkpointed (an event abandoned by a stop or a
 * failure), no later page of that shard is.
 */
public final class JobRun {

  private static final Logger LOG = LoggerFactory.getLogger("dev.reprocess.engine");

  /** Which sink an execution delivers to: the host's, or a direct one made from a handler. */
  public static final class SinkChoice {
    final EventSink external;
    final EventHandler handler;

    private SinkChoice(EventSink external, EventHandler handler) {
      this.external = external;
      this.handler = handler;
    }

    public static SinkChoice external(EventSink sink) {
      return new SinkChoice(sink, null);
    }

    public static SinkChoice direct(EventHandler handler) {
      return new SinkChoice(null, handler);
    }
  }

  private final ReprocessJob job;
  private final String name;
  private final String prefix;
  private final SinkChoice sinkChoice;
  private final Clock clock;
  private final Ticker ticker;
  private final RetryOptions retry;
  private final DeadLetterSink deadLetterSink;
  private final CheckpointStore store;
  private final List<JobListener> listeners;
  private final ConcurrencyGate gate;
  private final RateThrottle throttle;
  private final JobMetrics metrics;
  private final ClockTimer timer;
  private final Execution execution = new Execution();
  private final CompletableFuture<JobReport> completion = new CompletableFuture<>();

  // Counters of this execution.
  private final LongAdder selected = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final AtomicLong eventsInFlight = new AtomicLong();
  private final Map<String, LongAdder> failuresByType = new ConcurrentHashMap<>();

  // State.
  private volatile boolean stopping;
  private volatile boolean cancelled;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Object flushLock = new Object();
  private volatile long startNanos;
  private volatile Instant startedAt;
  private volatile List<ShardState> shardStates = List.of();
  private volatile JobStatus finalStatus;

  private EventSink sink;
  private boolean direct;
  private ExecutorService completionPool;
  private ExecutorService shardPool;

  public JobRun(ReprocessJob job, SinkChoice sinkChoice) {
    this.job = job;
    this.name = job.name();
    this.prefix = "job '" + name + "': ";
    this.sinkChoice = sinkChoice;
    this.clock = job.clock();
    this.ticker = Ticker.of(clock);
    this.retry = job.retry();
    this.deadLetterSink = job.deadLetterSink();
    this.store = job.checkpointStore();
    this.listeners = job.listeners();
    this.gate = job.adaptiveConcurrency()
        ? ConcurrencyGate.adaptive(job.concurrency())
        : ConcurrencyGate.fixed(job.concurrency());
    this.throttle = job.maxEventsPerSecond() > 0
        ? RateThrottle.perSecond(name, job.maxEventsPerSecond(), ticker)
        : RateThrottle.unlimited();
    this.metrics = new JobMetrics(job.meterRegistry(), name);
    this.timer = new ClockTimer(ticker, "reprocess-" + name + "-timer", prefix);
  }

  /** The handle on this execution. */
  public JobExecution execution() {
    return execution;
  }

  /** Starts the coordinator thread. */
  public void start() {
    startNanos = ticker.nanoTime();
    startedAt = clock.instant();
    Thread coordinator = new Thread(this::coordinate, "reprocess-" + name);
    coordinator.setDaemon(true);
    coordinator.start();
  }

  // ---------------------------------------------------------------- coordinator

  private void coordinate() {
    AssetSelector selector = job.selector();
    try {
      LOG.info("{}starting: {}", prefix, job);
      List<Shard> shards = selector.shards();
      checkUniqueIds(shards);
      if (job.restart()) {
        LOG.info("{}restart requested: deleting its checkpoints", prefix);
        store.delete(name);
      }
      Map<String, Checkpoint> checkpoints = store.load(name);
      List<ShardState> states = new ArrayList<>(shards.size());
      int alreadyDone = 0;
      for (Shard shard : shards) {
        Checkpoint cp = checkpoints.get(shard.id());
        ShardState s = new ShardState(shard, cp);
        if (cp != null && cp.completed()) {
          s.state = ShardProgress.State.ALREADY_COMPLETED;
          alreadyDone++;
        } else {
          s.estimate = selector.estimateCount(shard);
        }
        states.add(s);
      }
      shardStates = List.copyOf(states);
      openSink();
      registerGauges();
      LOG.info("{}{} shards ({} already completed), selector {}, sink {}, dead letters to {}",
          prefix, shards.size(), alreadyDone, selector.describe(), sink.describe(),
          deadLetterSink.describe());
      fire(l -> l.onJobStarted(name, shards));

      AtomicInteger threadNo = new AtomicInteger();
      shardPool = Executors.newFixedThreadPool(Math.max(1, Math.min(job.shardsInParallel(),
          shards.size() - alreadyDone)), r -> {
            Thread t = new Thread(r, "reprocess-" + name + "-shard-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      List<CompletableFuture<Void>> tasks = new ArrayList<>();
      for (ShardState s : states) {
        if (s.state == ShardProgress.State.PENDING) {
          tasks.add(CompletableFuture.runAsync(() -> runShard(selector, s), shardPool));
        }
      }
      CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
      if (failure.get() == null) {
        flushSink();
      }
    } catch (Throwable t) {
      fail(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
    } finally {
      try {
        finish(selector);
      } catch (Throwable t) {
        // Never leave run() or await() waiting: report what is known.
        LOG.error("{}could not finish cleanly: {}", prefix, t.toString(), t);
        completion.complete(new JobReport(name, JobStatus.FAILED, selected.sum(), succeeded.sum(),
            skipped.sum(), failed.sum(), retried.sum(), deadLettered.sum(), elapsed(), 0, Map.of(),
            deadLetterSink.describe(), (int) shardsCompleted(), shardStates.size(),
            failure.get() != null ? failure.get() : t));
      }
    }
  }

  private void checkUniqueIds(List<Shard> shards) {
    Set<String> ids = new HashSet<>();
    for (Shard s : shards) {
      if (!ids.add(s.id())) {
        throw new IllegalArgumentException(prefix + "shard id '" + s.id() + "' appears twice in "
            + job.selector().describe() + ": shard ids must be unique");
      }
    }
  }

  private void openSink() {
    if (sinkChoice.external != null) {
      sink = sinkChoice.external;
      direct = false;
      int threads = Math.max(1, Math.min(job.concurrency(), 4));
      AtomicInteger n = new AtomicInteger();
      completionPool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "reprocess-" + name + "-completion-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    } else {
      sink = new InProcessSink(sinkChoice.handler, job.concurrency(), "reprocess-" + name + "-handler",
          job.handlerTimeout(), clock);
      direct = true;
    }
  }

  private void registerGauges() {
    metrics.gauge(JobMetrics.IN_FLIGHT, "events delivered or waiting for a retry", name,
        eventsInFlight::get);
    metrics.gauge(JobMetrics.CONCURRENCY_LIMIT, "current limit on events in flight", name, gate::limit);
    metrics.gauge(JobMetrics.SHARDS_COMPLETED, "shards finished, in this run or before", name,
        this::shardsCompleted);
  }

  private void finish(AssetSelector selector) {
    timer.close();
    if (shardPool != null) {
      shardPool.shutdownNow();
    }
    if (direct && sink != null) {
      try {
        sink.close();
      } catch (Throwable t) {
        LOG.warn("{}closing the handler pool failed: {}", prefix, t.toString());
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
    try {
      selector.close();
    } catch (Throwable t) {
      LOG.warn("{}closing selector {} failed: {}", prefix, selector.describe(), t.toString());
    }
    metrics.close();
    Throwable cause = failure.get();
    JobStatus status = cause != null ? JobStatus.FAILED
        : cancelled ? JobStatus.CANCELLED : JobStatus.COMPLETED;
    if (status == JobStatus.COMPLETED && shardsCompleted() < shardStates.size()) {
      cause = new ReprocessException(prefix + "only " + shardsCompleted() + " of "
          + shardStates.size() + " shards completed");
      status = JobStatus.FAILED;
    }
    Duration duration = elapsed();
    long processed = succeeded.sum() + skipped.sum() + deadLettered.sum();
    Map<String, Long> byType = new TreeMap<>();
    failuresByType.forEach((k, v) -> byType.put(k, v.sum()));
    JobReport report = new JobReport(name, status, selected.sum(), succeeded.sum(), skipped.sum(),
        failed.sum(), retried.sum(), deadLettered.sum(), duration, rate(processed, duration), byType,
        deadLetterSink.describe(), (int) shardsCompleted(), shardStates.size(), cause);
    finalStatus = status;
    if (status == JobStatus.FAILED) {
      try {
        LOG.error("{}failed: {}", prefix, report, cause);
      } catch (RuntimeException broken) {
        // A logging backend reads the messages of the cause chain, and a handler's exception in it
        // may throw from getMessage(): log without the stack trace rather than lose the report.
        LOG.error("{}failed: {} (its stack trace cannot be logged: {})", prefix, report,
            DeadLetters.describe(broken));
      }
    } else {
      LOG.info("{}finished: {}", prefix, report);
    }
    fire(l -> l.onJobFinished(report));
    completion.complete(report);
  }

  // ---------------------------------------------------------------- stop, pause

  private boolean stopping() {
    return stopping;
  }

  private void fail(Throwable t) {
    if (failure.compareAndSet(null, t)) {
      LOG.error("{}failing: {}", prefix, DeadLetters.describe(t));
    }
    stop();
  }

  private void stop() {
    stopping = true;
    gate.wakeUp();
    timer.abandonAll();
  }

  /** Waits while paused; returns false when the job is stopping. */
  private boolean awaitRunnable() throws InterruptedException {
    return gate.awaitUnpaused(this::stopping);
  }

  // ---------------------------------------------------------------- shards

  private void runShard(AssetSelector selector, ShardState s) {
    if (stopping) {
      s.state = ShardProgress.State.STOPPED;
      return;
    }
    s.state = ShardProgress.State.RUNNING;
    Shard shard = s.shard;
    LOG.debug("{}shard {} starting{}", prefix, shard.id(),
        s.base != null ? " from cursor " + s.base.cursor() : "");
    fire(l -> l.onShardStarted(name, shard, s.base));
    PageWork previous = null;
    try (Paginator paginator = selector.open(shard, s.cursor, job.pageSize())) {
      long pageNo = 0;
      while (awaitRunnable()) {
        Page page = readPage(paginator, shard, ++pageNo);
        if (page == null) {
          break;
        }
        selected.add(page.size());
        s.selected.add(page.size());
        metrics.selected.increment(page.size());
        PageWork work = new PageWork(page, pageNo);
        dispatch(s, work);
        work.seal();
        if (previous != null) {
          complete(s, previous);
        }
        previous = work;
        if (page.last() || !work.fullyDispatched) {
          break;
        }
      }
      if (previous != null) {
        complete(s, previous);
      }
    } catch (Throwable t) {
      if (previous != null) {
        previous.abandoned.set(true);
      }
      s.state = ShardProgress.State.FAILED;
      Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      boolean readFailure = cause instanceof ShardReadException;
      Throwable reported = readFailure ? cause.getCause() : cause;
      ReprocessException e = new ReprocessException(prefix + "shard " + shard.id() + " failed: "
          + DeadLetters.describe(reported), reported);
      if (readFailure && !job.failFast()) {
        // The shard cannot go on; the others can. The job ends FAILED; a re-run resumes this shard.
        failure.compareAndSet(null, e);
        LOG.error("{}shard {} failed, other shards go on: {}", prefix, shard.id(),
            DeadLetters.describe(reported));
        return;
      }
      fail(e);
      return;
    }
    if (s.state == ShardProgress.State.RUNNING) {
      s.state = ShardProgress.State.STOPPED;
    }
  }

  /** Reads a page, retrying transient failures per the retry options; null when stopping. */
  private Page readPage(Paginator paginator, Shard shard, long pageNo) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return paginator.nextPage();
      } catch (RuntimeException e) {
        if (e instanceof RetriableException && attempt < retry.maxAttempts() && !stopping) {
          Duration backoff = retry.backoff(attempt, ThreadLocalRandom.current());
          LOG.warn("{}shard {} page {} read failed (attempt {} of {}), retrying in {}: {}", prefix,
              shard.id(), pageNo, attempt, retry.maxAttempts(), backoff, DeadLetters.describe(e));
          if (!timer.sleep(backoff.toNanos())) {
            return null;
          }
          continue;
        }
        throw new ShardReadException(prefix + "shard " + shard.id() + " page " + pageNo
            + " could not be read after " + attempt + " attempt(s)", e);
      }
    }
  }

  private void dispatch(ShardState s, PageWork work) throws InterruptedException {
    Shard shard = s.shard;
    for (AssetRef asset : work.page.assets()) {
      if (!gate.acquire(this::stopping)) {
        work.fullyDispatched = false;
        return;
      }
      ReprocessEvent event = new ReprocessEvent(randomUuid(), name, asset.assetId(),
          asset.assetType() != null ? asset.assetType() : shard.assetType(), shard.id(), 1,
          clock.instant(), asset.attributes());
      work.pending.incrementAndGet();
      eventsInFlight.incrementAndGet();
      new EventRun(event, s, work).attempt();
    }
  }

  /** Waits for a page to settle, then checkpoints it if every event is final. */
  private void complete(ShardState s, PageWork work) {
    work.done.join();
    if (!work.fullyDispatched || work.abandoned.get() || s.chainBroken) {
      s.chainBroken = true;
      return;
    }
    flushSink();
    Page page = work.page;
    s.cpSelected += page.size();
    s.cpSucceeded += work.succeeded.get();
    s.cpSkipped += work.skipped.get();
    s.cpDeadLettered += work.deadLettered.get();
    if (page.cursor() != null) {
      s.cursor = page.cursor();
    }
    Checkpoint cp = new Checkpoint(name, s.shard.id(), s.cursor,
        page.last() ? Checkpoint.State.COMPLETED : Checkpoint.State.IN_PROGRESS, s.cpSelected,
        s.cpSucceeded, s.cpSkipped, s.cpDeadLettered, clock.instant());
    store.save(cp);
    s.pagesCompleted.incrementAndGet();
    LOG.debug("{}shard {} page {} done ({} assets), checkpoint at {}", prefix, s.shard.id(),
        work.pageNo, page.size(), s.cursor);
    fire(l -> l.onPageCompleted(name, s.shard, cp));
    if (page.last()) {
      s.state = ShardProgress.State.COMPLETED;
      LOG.debug("{}shard {} completed: {} assets in total", prefix, s.shard.id(), s.cpSelected);
      fire(l -> l.onShardCompleted(name, s.shard, cp));
    }
  }

  private void flushSink() {
    synchronized (flushLock) {
      sink.flush();
    }
  }

  // ---------------------------------------------------------------- events

  /** One event through its attempts, from dispatch to a final (or abandoned) state. */
  private final class EventRun {
    private ReprocessEvent event;
    private final ShardState shard;
    private final PageWork page;
    private long attemptStart;
    private final AtomicBoolean settled = new AtomicBoolean();

    EventRun(ReprocessEvent event, ShardState shard, PageWork page) {
      this.event = event;
      this.shard = shard;
      this.page = page;
    }

    void attempt() {
      long deadline = throttle.reserveDeadlineNanos();
      if (deadline != Long.MIN_VALUE) {
        timer.scheduleAt(deadline, this::deliver, this::abandon);
      } else {
        deliver();
      }
    }

    private void deliver() {
      if (LOG.isTraceEnabled()) {
        LOG.trace("{}delivering asset {} (shard {}, attempt {})", prefix, event.assetId(),
            event.shardId(), event.attempt());
      }
      attemptStart = ticker.nanoTime();
      CompletionStage<Outcome> stage;
      try {
        stage = sink.deliver(event);
      } catch (Throwable t) {
        stage = CompletableFuture.failedFuture(t);
      }
      // handle, not whenComplete: whenComplete wraps a failure in a CompletionException for its
      // own stage, whose constructor calls the failure's toString(), and that may throw.
      if (direct) {
        stage.handle(this::onResult);
      } else {
        stage.handleAsync(this::onResult, completionPool);
      }
    }

    private Void onResult(Outcome outcome, Throwable error) {
      long latency = ticker.nanoTime() - attemptStart;
      metrics.recordLatency(latency);
      try {
        if (error == null) {
          gate.sample(attemptStart, latency);
          if (outcome == Outcome.SKIPPED) {
            skipped.increment();
            shard.skipped.increment();
            page.skipped.incrementAndGet();
            metrics.skipped.increment();
          } else {
            succeeded.increment();
            shard.succeeded.increment();
            page.succeeded.incrementAndGet();
            metrics.succeeded.increment();
          }
          if (LOG.isTraceEnabled()) {
            LOG.trace("{}asset {} {} (attempt {})", prefix, event.assetId(),
                outcome == Outcome.SKIPPED ? "skipped" : "succeeded", event.attempt());
          }
          settle(true);
          return null;
        }
        onFailure(unwrap(error));
      } catch (Throwable t) {
        fail(t);
        settle(false);
      }
      return null;
    }

    private void onFailure(Throwable t) {
      failed.increment();
      metrics.failed.increment();
      failuresByType.computeIfAbsent(t.getClass().getName(), k -> new LongAdder()).increment();
      if (t instanceof HandlerTimeoutException) {
        // Not a per-event TRACE: a hung handler holds a thread the job had to replace.
        LOG.warn("{}{}", prefix, t.getMessage());
      }
      if (!(t instanceof Exception)) {
        fail(new ReprocessException(prefix + "the handler threw " + DeadLetters.describe(t) + " on asset "
            + event.assetId() + " (shard " + event.shardId() + ", attempt " + event.attempt()
            + "); stopping", t));
        settle(false);
        return;
      }
      if (retry.isRetriable(t) && event.attempt() < retry.maxAttempts()) {
        if (stopping) {
          settle(false);
          return;
        }
        Duration backoff = retry.backoff(event.attempt(), ThreadLocalRandom.current());
        retried.increment();
        metrics.retried.increment();
        ReprocessEvent failedAttempt = event;
        if (LOG.isTraceEnabled()) {
          LOG.trace("{}asset {} attempt {} failed, retrying in {}: {}", prefix, event.assetId(),
              event.attempt(), backoff, DeadLetters.describe(t));
        }
        fire(l -> l.onRetry(failedAttempt, t, backoff));
        event = event.nextAttempt();
        timer.schedule(backoff.toNanos(), this::attempt, this::abandon);
        return;
      }
      DeadLetter deadLetter = DeadLetters.of(event, t, event.attempt(), clock.instant());
      try {
        deadLetterSink.accept(deadLetter);
      } catch (Throwable x) {
        fail(new ReprocessException(prefix + "dead-letter sink " + deadLetterSink.describe()
            + " could not store the dead letter of asset " + event.assetId() + ": "
            + DeadLetters.describe(x), x));
        settle(false);
        return;
      }
      deadLettered.increment();
      shard.deadLettered.increment();
      page.deadLettered.incrementAndGet();
      metrics.deadLettered.increment();
      if (LOG.isTraceEnabled()) {
        LOG.trace("{}asset {} dead-lettered after {} attempt(s): {}", prefix, event.assetId(),
            event.attempt(), DeadLetters.describe(t));
      }
      fire(l -> l.onDeadLetter(deadLetter));
      if (job.failFast()) {
        fail(new ReprocessException(prefix + "asset " + event.assetId() + " (shard "
            + event.shardId() + ") failed after " + event.attempt()
            + " attempt(s) and failFast is set: " + DeadLetters.describe(t), t));
      }
      settle(true);
    }

    private void abandon() {
      if (LOG.isTraceEnabled()) {
        LOG.trace("{}asset {} abandoned while waiting (attempt {})", prefix, event.assetId(),
            event.attempt());
      }
      settle(false);
    }

    private void settle(boolean isFinal) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      if (!isFinal) {
        page.abandoned.set(true);
      }
      eventsInFlight.decrementAndGet();
      gate.release();
      page.settleOne();
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private void fire(Consumer<JobListener> call) {
    for (JobListener l : listeners) {
      try {
        call.accept(l);
      } catch (Throwable t) {
        LOG.warn("{}listener {} threw {}; ignored", prefix, l, DeadLetters.describe(t));
      }
    }
  }

  // ---------------------------------------------------------------- progress

  private Duration elapsed() {
    long nanos = Math.max(0, ticker.nanoTime() - startNanos);
    return Duration.ofNanos(nanos);
  }

  private static double rate(long processed, Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? processed / seconds : 0;
  }

  private long shardsCompleted() {
    long n = 0;
    for (ShardState s : shardStates) {
      if (s.state == ShardProgress.State.COMPLETED || s.state == ShardProgress.State.ALREADY_COMPLETED) {
        n++;
      }
    }
    return n;
  }

  private JobProgress snapshot() {
    List<ShardState> states = shardStates;
    List<ShardProgress> shards = new ArrayList<>(states.size());
    long total = 0;
    boolean countable = true;
    for (ShardState s : states) {
      shards.add(s.progress());
      if (s.state != ShardProgress.State.ALREADY_COMPLETED) {
        if (s.estimate.isPresent()) {
          long done = s.base != null ? s.base.selected() : 0;
          total += Math.max(0, s.estimate.getAsLong() - done);
        } else {
          countable = false;
        }
      }
    }
    Duration elapsed = elapsed();
    long processed = succeeded.sum() + skipped.sum() + deadLettered.sum();
    double rate = rate(processed, elapsed);
    OptionalLong estimatedTotal = countable && !states.isEmpty() ? OptionalLong.of(total) : OptionalLong.empty();
    Optional<Duration> eta = Optional.empty();
    if (estimatedTotal.isPresent() && rate > 0) {
      long remaining = Math.max(0, estimatedTotal.getAsLong() - processed);
      eta = Optional.of(Duration.ofNanos((long) (remaining / rate * 1e9)));
    }
    JobStatus status = finalStatus != null ? finalStatus
        : stopping ? JobStatus.STOPPING : gate.paused() ? JobStatus.PAUSED : JobStatus.RUNNING;
    return new JobProgress(name, status, selected.sum(), succeeded.sum(), skipped.sum(),
        failed.sum(), retried.sum(), deadLettered.sum(), eventsInFlight.get(), gate.limit(),
        elapsed, rate, estimatedTotal, eta, shards);
  }

  private final class Execution implements JobExecution {
    @Override
    public String jobName() {
      return name;
    }

    @Override
    public JobProgress progress() {
      return snapshot();
    }

    @Override
    public void pause() {
      if (!gate.paused() && !completion.isDone()) {
        gate.setPaused(true);
        LOG.info("{}paused: no new event is delivered; {} in flight finish", prefix, gate.inFlight());
      }
    }

    @Override
    public void resume() {
      if (gate.paused()) {
        gate.setPaused(false);
        LOG.info("{}resumed", prefix);
      }
    }

    @Override
    public void cancel() {
      if (!completion.isDone() && !stopping) {
        LOG.info("{}cancel requested: letting in-flight events finish", prefix);
        cancelled = true;
        stop();
      }
    }

    @Override
    public boolean isDone() {
      return completion.isDone();
    }

    @Override
    public JobReport await(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout is " + timeout + ": it must be zero or positive");
      }
      try {
        return completion.get(toNanosSaturated(timeout), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        JobProgress p = snapshot();
        throw new JobTimeoutException(prefix + "not finished within " + timeout + " (status "
            + p.status() + ", " + p.processed() + " of " + p.selected()
            + " selected events processed); it keeps running");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReprocessException(prefix + "interrupted while awaiting the job", e);
      } catch (ExecutionException e) {
        throw new ReprocessException(prefix + "unexpected engine failure: " + e.getCause(), e.getCause());
      }
    }

    @Override
    public CompletionStage<JobReport> completion() {
      return completion.minimalCompletionStage();
    }

    @Override
    public String toString() {
      return "JobExecution[" + name + ", " + snapshot().status() + "]";
    }
  }

  private static long toNanosSaturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  // ---------------------------------------------------------------- state holders

  /** A shard's state in this execution. Counters for checkpoints are touched only by its reader. */
  private static final class ShardState {
    final Shard shard;
    final Checkpoint base;
    volatile ShardProgress.State state = ShardProgress.State.PENDING;
    OptionalLong estimate = OptionalLong.empty();
    final LongAdder selected = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder deadLettered = new LongAdder();
    final AtomicLong pagesCompleted = new AtomicLong();
    Cursor cursor;
    long cpSelected;
    long cpSucceeded;
    long cpSkipped;
    long cpDeadLettered;
    boolean chainBroken;

    ShardState(Shard shard, Checkpoint base) {
      this.shard = shard;
      this.base = base;
      if (base != null) {
        cursor = base.cursor();
        cpSelected = base.selected();
        cpSucceeded = base.succeeded();
        cpSkipped = base.skipped();
        cpDeadLettered = base.deadLettered();
      }
    }

    ShardProgress progress() {
      return new ShardProgress(shard.id(), state, selected.sum(), succeeded.sum(), skipped.sum(),
          deadLettered.sum(), pagesCompleted.get(), estimate);
    }
  }

  /** One page's events in flight: settled when every dispatched event is final or abandoned. */
  private static final class PageWork {
    final Page page;
    final long pageNo;
    /** 1 for the dispatcher until {@link #seal()}, plus 1 per event not settled yet. */
    final AtomicInteger pending = new AtomicInteger(1);
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicBoolean abandoned = new AtomicBoolean();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile boolean fullyDispatched = true;

    PageWork(Page page, long pageNo) {
      this.page = page;
      this.pageNo = pageNo;
    }

    void seal() {
      settleOne();
    }

    void settleOne() {
      if (pending.decrementAndGet() == 0) {
        done.complete(null);
      }
    }
  }

  /** A shard's page could not be read: fails the shard, not the whole job (unless failFast). */
  private static final class ShardReadException extends ReprocessException {
    private static final long serialVersionUID = 1L;

    ShardReadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
