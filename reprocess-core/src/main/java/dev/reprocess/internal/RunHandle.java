package dev.reprocess.internal;

import dev.reprocess.JobExecution;
import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.JobTimeoutException;
import dev.reprocess.ReprocessException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The host's handle on one {@link JobRun}: progress, pause, resume, cancel, waiting. */
final class RunHandle implements JobExecution {

  private final JobRun run;
  private final String name;
  private final String prefix;

  RunHandle(JobRun run, String name, String prefix) {
    this.run = run;
    this.name = name;
    this.prefix = prefix;
  }

  @Override
  public String jobName() {
    return name;
  }

  @Override
  public JobProgress progress() {
    return run.progress();
  }

  @Override
  public void pause() {
    run.pause();
  }

  @Override
  public void resume() {
    run.resume();
  }

  @Override
  public void cancel() {
    run.cancel();
  }

  @Override
  public void rethrottle(double maxEventsPerSecond) {
    run.rethrottle(maxEventsPerSecond);
  }

  @Override
  public void concurrency(int concurrency) {
    run.concurrency(concurrency);
  }

  @Override
  public boolean isDone() {
    return run.completion().isDone();
  }

  @Override
  public JobReport await(Duration timeout) {
    if (timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout is " + timeout + ": it must be zero or positive");
    }
    try {
      return run.completion().get(toNanosSaturated(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      JobProgress p = progress();
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
    return run.completion().minimalCompletionStage();
  }

  @Override
  public String toString() {
    return "JobExecution[" + name + ", " + progress().status() + "]";
  }

  private static long toNanosSaturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
