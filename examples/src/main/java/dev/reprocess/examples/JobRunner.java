package dev.reprocess.examples;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobExecution;
import dev.reprocess.JobListener;
import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.ShardProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job in the foreground: says whether it starts fresh or resumes (and from how many
 * shards), shows progress, and on Ctrl-C or SIGTERM cancels it gracefully (in-flight events finish
 * and their checkpoints are written) before the backends stop.
 */
final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(20);

  private JobRunner() {}

  /**
   * Counts the shards this run reads, and those of them that continue from a checkpoint written by
   * an earlier run.
   */
  static final class ResumeListener implements JobListener {
    final AtomicInteger resumedShards = new AtomicInteger();
    final AtomicInteger startedShards = new AtomicInteger();
    final CountDownLatch started = new CountDownLatch(1);

    @Override
    public void onJobStarted(String jobName, List<Shard> shards) {
      started.countDown();
    }

    @Override
    public void onShardStarted(String jobName, Shard shard, Checkpoint resumedFrom) {
      startedShards.incrementAndGet();
      if (resumedFrom != null) {
        resumedShards.incrementAndGet();
      }
    }

    /**
     * Whether the run that ended with {@code report} found every shard completed by an earlier
     * run, so it read nothing: a completed run with shards, none of them started by this run.
     */
    boolean foundAllCompleted(JobReport report) {
      return report.status() == JobStatus.COMPLETED && report.shardsTotal() > 0
          && report.shardsCompleted() == report.shardsTotal() && startedShards.get() == 0;
    }

    @Override
    public void onJobFinished(JobReport report) {
      started.countDown();
    }
  }

  /**
   * Starts {@code job} (built with {@code listener} among its listeners) and waits for its report.
   *
   * @param extra what to show after the progress bar, from the latest progress
   */
  static JobReport run(ReprocessJob job, ResumeListener listener, Lifecycle lifecycle, Progress.Mode mode,
      PrintWriter out, java.util.function.Function<JobProgress, String> extra) {
    JobExecution execution = job.start();
    Runnable cancel = () -> {
      if (!execution.isDone()) {
        out.println("interrupted: cancelling job '" + job.name() + "' (in-flight events finish, checkpoints are"
            + " written)...");
        execution.cancel();
        try {
          execution.completion().toCompletableFuture().get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          LOG.warn("job '{}': did not stop within {} s after cancel", job.name(), CANCEL_WAIT.toSeconds());
        }
      }
    };
    lifecycle.onShutdown(cancel);
    try {
      awaitStart(listener, execution);
      boolean allCompleted = announce(job, execution.progress(), out);
      // A run that has nothing left ends at once: no progress to show.
      try (Progress progress = Progress.start(job.name(), allCompleted ? Progress.Mode.OFF : mode, out)) {
        while (true) {
          JobProgress p = execution.progress();
          progress.update(p.processed(), p.estimatedTotal().orElse(-1), p.eta(),
              Progress.withWaiting(p, extra.apply(p)));
          try {
            return execution.completion().toCompletableFuture().get(250, TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            // keep showing progress
          } catch (ExecutionException e) {
            throw new IllegalStateException("job '" + job.name() + "' ended abnormally", e.getCause());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            execution.cancel();
            return execution.await(CANCEL_WAIT);
          }
        }
      } finally {
        int resumed = listener.resumedShards.get();
        if (resumed > 0) {
          String shards = resumed == 1 ? "1 shard" : resumed + " shards";
          out.printf("job '%s': resumed %s from their checkpoints%n", job.name(), shards);
          LOG.info("job '{}': resumed {} from their checkpoints", job.name(), shards);
        }
      }
    } finally {
      lifecycle.remove(cancel);
    }
  }

  /**
   * Says how the run starts: over (restart), resuming (and how many shards are skipped), or fresh.
   *
   * @return whether every shard was completed by an earlier run
   */
  private static boolean announce(ReprocessJob job, JobProgress first, PrintWriter out) {
    int shards = first.shards().size();
    long already = first.shards().stream()
        .filter(s -> s.state() == ShardProgress.State.ALREADY_COMPLETED).count();
    if (job.restart()) {
      out.printf("job '%s': %s shards, starting over (its checkpoints were deleted)%n", job.name(), Report.number(shards));
    } else if (already > 0 && already == shards) {
      out.printf("job '%s': all %s shards were completed by an earlier run%n", job.name(), Report.number(shards));
      LOG.info("job '{}': all {} shards already completed, nothing to read", job.name(), shards);
      return true;
    } else if (already > 0) {
      out.printf("job '%s': %s shards; resuming: %s completed by an earlier run are skipped%n", job.name(),
          Report.number(shards), Report.number(already));
      LOG.info("job '{}': resuming, {} of {} shards already completed", job.name(), already, shards);
    } else {
      out.printf("job '%s': %s shards%n", job.name(), Report.number(shards));
    }
    return false;
  }

  private static void awaitStart(ResumeListener listener, JobExecution execution) {
    try {
      while (!listener.started.await(250, TimeUnit.MILLISECONDS)) {
        if (execution.isDone()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
