package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.DeadLetters;
import dev.reprocess.JobExecution;
import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import dev.reprocess.ShardProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * One execution of a job: the engine's coordinator. It reads the {@link JobSpec} (never the
 * builder), loads the checkpoints, opens the sink, runs a {@link ShardReader} per shard, and ends
 * with the report and the listeners. Shard readers dispatch {@link EventAttempt}s; the counts
 * live in the {@link JobTally}; what they share is a {@link RunContext}.
 *
 * <p>Threads: this coordinator ({@code reprocess-<job>}) reads shards and checkpoints and waits for
 * the end; {@code shardsInParallel} shard readers ({@code reprocess-<job>-shard-N}) read pages,
 * dispatch events and hand in checkpoints, which one thread ({@code reprocess-<job>-checkpoints})
 * writes; the sink's threads run attempts; a host's sink's outcomes
 * settle on a small completion pool ({@code reprocess-<job>-completion-N}); one timer thread
 * ({@code reprocess-<job>-timer}) fires delayed attempts (retry backoff, rate limit). A job started
 * on a {@link JobHost} runs its coordinator, shard readers and checkpoint writer on the host's
 * threads (with these names while they run the job's work) and logs its start and its report at
 * DEBUG (a failure still at ERROR), the host logging the options its jobs share and their reports.
 */
public final class JobRun {

  private static final Logger LOG = RunContext.LOG;

  private final RunContext run;
  private final String prefix;
  private final RunHandle handle;
  private final CompletableFuture<JobReport> completion = new CompletableFuture<>();
  private volatile boolean cancelled;
  private volatile List<ShardState> shardStates = List.of();
  private volatile JobStatus finalStatus;
  private ExecutorService shardPool;
  /** Runs the checkpoint writer's rounds: one thread. */
  private ExecutorService checkpointPool;
  private CheckpointWriter checkpointWriter;

  public JobRun(JobSpec spec) {
    this.run = new RunContext(spec);
    this.prefix = run.prefix;
    this.handle = new RunHandle(this, run.name, prefix);
  }

  /** The handle on this execution. */
  public JobExecution execution() {
    return handle;
  }

  /** Starts the coordinator thread. */
  public void start() {
    run.tally.started();
    if (run.host != null) {
      run.host.start("reprocess-" + run.name, this::coordinate);
      return;
    }
    Thread coordinator = new Thread(this::coordinate, "reprocess-" + run.name);
    coordinator.setDaemon(true);
    coordinator.start();
  }

  private void coordinate() {
    AssetSelector selector = run.spec.selector();
    try {
      if (run.logsSummary()) {
        run.logSummary("{}starting: {}", prefix, run.spec.description().get());
      }
      List<Shard> shards = run.outage.get(selector::shards, run::isStopping);
      ShardChecks.check(run.spec, shards);
      // After the checks that need no store (a job refused for its configuration leaves no lease
      // row), before anything reads checkpoints or writes.
      run.lease.acquire();
      List<ShardState> states = loadShardStates(shards);
      long alreadyDone = JobTally.shardsCompleted(states);
      run.openSink();
      Preflight.check(run, states);
      StartCursors.pin(run, states);
      run.tally.registerGauges(run.pressure, () -> shardStates);
      run.pressure.start();
      if (run.logsSummary()) {
        run.logSummary("{}{} shards ({} already completed), selector {}, sink {}, dead letters to {}",
            prefix, shards.size(), alreadyDone, selector.describe(), run.sink().describe(),
            run.spec.deadLetterSink().describe());
      }
      run.fire(l -> l.onJobStarted(run.name, shards));
      readShards(states, (int) (shards.size() - alreadyDone));
      if (run.failure() == null) {
        run.flushSink();
      }
    } catch (OutageWait.WaitAbandoned stopped) {
      // A cancel (or a failure already recorded) ended a wait for a backend or the lease.
      LOG.debug("{}{}", prefix, stopped.getMessage());
    } catch (Throwable t) {
      run.fail(RetryVerdict.unwrap(t));
    } finally {
      try {
        finish(selector);
      } catch (Throwable t) {
        // Never leave run() or await() waiting: report what is known.
        LOG.error("{}could not finish cleanly: {}", prefix, t.toString(), t);
        try {
          completion.complete(run.tally.report(JobStatus.FAILED,
              run.failure() != null ? run.failure() : t, shardStates,
              run.spec.deadLetterSink().describe()));
        } catch (Throwable reportFailed) {
          completion.completeExceptionally(t);
        }
      }
    }
  }

  /** Deletes the checkpoints on restart, then pairs each shard with its checkpoint. */
  private List<ShardState> loadShardStates(List<Shard> shards) {
    CheckpointStore store = run.spec.checkpointStore();
    if (run.spec.restart()) {
      LOG.info("{}restart requested: deleting its checkpoints", prefix);
      run.outage.call(() -> store.delete(run.name), run::isStopping);
    }
    Map<String, Checkpoint> checkpoints = run.outage.get(() -> store.load(run.name), run::isStopping);
    SelectionCheck.verify(run.spec, !checkpoints.isEmpty());
    List<ShardState> states = new ArrayList<>(shards.size());
    for (Shard shard : shards) {
      Checkpoint cp = checkpoints.get(shard.id());
      ShardState s = new ShardState(shard, cp);
      if (cp != null && cp.completed()) {
        s.state = ShardProgress.State.ALREADY_COMPLETED;
      } else {
        s.estimate = run.spec.selector().estimateCount(shard);
      }
      states.add(s);
    }
    shardStates = List.copyOf(states);
    return shardStates;
  }

  /**
   * Reads the pending shards, {@code shardsInParallel} at a time (each reader thread takes the next
   * shard in order when it has handed over its shard's last page), and waits until each shard's
   * pages are checkpointed or given up.
   */
  private void readShards(List<ShardState> states, int pending) {
    int threads = Math.max(1, Math.min(run.spec.shardsInParallel(), pending));
    String shardThread = "reprocess-" + run.name + "-shard-";
    String checkpointThread = "reprocess-" + run.name + "-checkpoints";
    if (run.host != null) {
      shardPool = run.host.executor(n -> shardThread + n, threads);
      checkpointPool = run.host.executor(n -> checkpointThread, 1);
    } else {
      AtomicInteger threadNo = new AtomicInteger();
      shardPool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, shardThread + threadNo.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      checkpointPool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, checkpointThread);
        t.setDaemon(true);
        return t;
      });
    }
    checkpointWriter = new CheckpointWriter(run, checkpointPool, run.spec.checkpointInterval());
    ConcurrentLinkedQueue<ShardState> queue = new ConcurrentLinkedQueue<>();
    for (ShardState s : states) {
      if (s.state == ShardProgress.State.PENDING) {
        queue.add(s);
      }
    }
    Queue<CompletableFuture<Void>> checkpointed = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> readers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      readers.add(CompletableFuture.runAsync(() -> {
        ShardReader.ReadAhead ahead = new ShardReader.ReadAhead();
        for (ShardState s = queue.poll(); s != null; s = queue.poll()) {
          checkpointed.add(new ShardReader(run, s, checkpointWriter).read(ahead));
        }
      }, shardPool));
    }
    CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).join();
    CompletableFuture.allOf(checkpointed.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Writes every pending checkpoint (before the lease is released); a shard whose last checkpoint
   * could not be written (a failed or abandoned write) is STOPPED: a re-run resumes it.
   */
  private void drainCheckpoints() {
    if (checkpointWriter != null) {
      try {
        checkpointWriter.drain();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (ShardState s : shardStates) {
      if (s.state == ShardProgress.State.RUNNING) {
        s.state = ShardProgress.State.STOPPED;
      }
    }
  }

  private void finish(AssetSelector selector) {
    run.timer.close();
    run.pressure.close();
    if (shardPool != null) {
      shardPool.shutdownNow();
    }
    drainCheckpoints();
    if (checkpointPool != null) {
      checkpointPool.shutdownNow(); // idle: drained
    }
    run.closeSink();
    run.lease.release();
    try {
      selector.close();
    } catch (Throwable t) {
      LOG.warn("{}closing selector {} failed: {}", prefix, selector.describe(), t.toString());
    }
    run.tally.close();
    JobReport report = finalReport();
    finalStatus = report.status();
    if (report.status() == JobStatus.FAILED) {
      try {
        LOG.error("{}failed: {}", prefix, report, report.failureCause());
      } catch (RuntimeException broken) {
        // A logging backend reads the messages of the cause chain, and a handler's exception in it
        // may throw from getMessage(): log without the stack trace rather than lose the report.
        LOG.error("{}failed: {} (its stack trace cannot be logged: {})", prefix, report,
            DeadLetters.describe(broken));
      }
    } else if (run.logsSummary()) {
      run.logSummary("{}finished: {}", prefix, report);
    }
    run.fire(l -> l.onJobFinished(report));
    completion.complete(report);
  }

  private JobReport finalReport() {
    Throwable cause = run.failure();
    JobStatus status = cause != null ? JobStatus.FAILED
        : cancelled ? JobStatus.CANCELLED : JobStatus.COMPLETED;
    long completed = JobTally.shardsCompleted(shardStates);
    if (status == JobStatus.COMPLETED && completed < shardStates.size()) {
      cause = new ReprocessException(prefix + "only " + completed + " of " + shardStates.size()
          + " shards completed");
      status = JobStatus.FAILED;
    }
    JobReport report = run.tally.report(status, cause, shardStates, run.spec.deadLetterSink().describe());
    return NothingSelected.annotate(run.spec, report, shardStates);
  }

  // ---------------------------------------------------------------- for the handle

  CompletableFuture<JobReport> completion() {
    return completion;
  }

  JobProgress progress() {
    JobStatus status = finalStatus != null ? finalStatus
        : run.isStopping() ? JobStatus.STOPPING : run.gate.paused() ? JobStatus.PAUSED : JobStatus.RUNNING;
    return run.tally.progress(status, shardStates, run.outage.longestWait());
  }

  void pause() {
    if (!run.gate.paused() && !completion.isDone()) {
      run.gate.setPaused(true);
      LOG.info("{}paused: no new event is delivered; {} in flight finish", prefix, run.gate.inFlight());
    }
  }

  void rethrottle(double maxEventsPerSecond) {
    String problem = RateThrottle.rateProblem(maxEventsPerSecond);
    if (problem != null) {
      throw new IllegalArgumentException(prefix + "maxEventsPerSecond is " + maxEventsPerSecond + ": " + problem);
    }
    if (!completion.isDone()) {
      run.rate.rethrottle(maxEventsPerSecond);
      LOG.info("{}rethrottled: maxEventsPerSecond {}", prefix, maxEventsPerSecond);
    }
  }

  void concurrency(int concurrency) {
    if (concurrency < 1 || concurrency > run.gate.max()) {
      throw new IllegalArgumentException(prefix + "concurrency is " + concurrency
          + ": it must be 1 to " + run.gate.max() + " (the concurrency the job was built with)");
    }
    if (!completion.isDone()) {
      run.gate.changeMax(concurrency);
      run.rate.apply();
      LOG.info("{}concurrency limit now {}", prefix, concurrency);
    }
  }

  void resume() {
    if (run.gate.paused()) {
      run.gate.setPaused(false);
      LOG.info("{}resumed", prefix);
    }
  }

  void cancel() {
    if (!completion.isDone() && !run.isStopping()) {
      LOG.info("{}cancel requested: letting in-flight events finish", prefix);
      cancelled = true;
      run.stop();
    }
  }
}
