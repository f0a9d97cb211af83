package dev.reprocess.spring.boot;

import dev.reprocess.JobExecution;
import dev.reprocess.JobTimeoutException;
import dev.reprocess.ReprocessJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's Reprocess jobs, by name: the {@link ReprocessJob} beans and the jobs of {@code
 * reprocess.jobs.*}, with their latest execution. The Actuator endpoint and the health indicator
 * read it; application code may inject it to start and control jobs.
 *
 * <p>Life cycle: when the application context starts, the jobs marked {@code run-on-startup} start;
 * when it stops, every running execution is cancelled (gracefully, see {@link
 * JobExecution#cancel()}) and waited for up to the shutdown timeout, then the objects the registry
 * created for its jobs (Kafka sinks) are closed.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public class ReprocessJobRegistry implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ReprocessJobRegistry.class);

  private final Map<String, ReprocessJob> jobs;
  private final Set<String> runOnStartup;
  private final Duration shutdownTimeout;
  private final List<AutoCloseable> owned;
  private final Map<String, JobExecution> executions = new LinkedHashMap<>();
  private boolean running;

  /**
   * @param jobs the jobs by name, in listing order
   * @param runOnStartup the names of the jobs to start with the application context
   * @param shutdownTimeout how long stopping waits for cancelled jobs
   * @param owned objects created for the jobs, closed after the jobs stopped
   */
  public ReprocessJobRegistry(Map<String, ReprocessJob> jobs, Set<String> runOnStartup,
      Duration shutdownTimeout, List<AutoCloseable> owned) {
    this.jobs = Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
    this.runOnStartup = Set.copyOf(runOnStartup);
    this.shutdownTimeout = shutdownTimeout;
    this.owned = List.copyOf(owned);
  }

  /** The names of the jobs, in listing order (beans first, then properties). */
  public Set<String> names() {
    return jobs.keySet();
  }

  /** The job of a name. */
  public Optional<ReprocessJob> job(String name) {
    return Optional.ofNullable(jobs.get(name));
  }

  /** Whether the job starts with the application context. */
  public boolean runsOnStartup(String name) {
    return runOnStartup.contains(name);
  }

  /** The job's latest execution, running or finished; empty if it was never started here. */
  public synchronized Optional<JobExecution> execution(String name) {
    requireJob(name);
    return Optional.ofNullable(executions.get(name));
  }

  /**
   * Starts the job ({@link ReprocessJob#start()}): resumes from its checkpoints.
   *
   * @throws IllegalArgumentException if there is no job of that name
   * @throws IllegalStateException if the job is running
   */
  public synchronized JobExecution start(String name) {
    return start(name, false);
  }

  /**
   * Starts the job with its checkpoints deleted first, so every shard starts over (as {@link
   * ReprocessJob.Builder#restart(boolean) restart(true)} does): the way to run a completed job again.
   *
   * @throws IllegalArgumentException if there is no job of that name
   * @throws IllegalStateException if the job is running
   */
  public synchronized JobExecution restart(String name) {
    return start(name, true);
  }

  private JobExecution start(String name, boolean restart) {
    ReprocessJob job = requireJob(name);
    JobExecution previous = executions.get(name);
    if (previous != null && !previous.isDone()) {
      throw new IllegalStateException("job '" + name + "' is " + previous.progress().status()
          + ": cancel it or wait for its end first");
    }
    if (restart) {
      log.info("job '{}': restart requested, deleting its checkpoints", name);
      job.checkpointStore().delete(name);
    }
    JobExecution execution = job.start();
    executions.put(name, execution);
    return execution;
  }

  /**
   * Pauses the job's running execution ({@link JobExecution#pause()}).
   *
   * @throws IllegalArgumentException if there is no job of that name
   * @throws IllegalStateException if the job was never started here, or its execution is finished
   *     (COMPLETED, FAILED or CANCELLED)
   */
  public JobExecution pause(String name) {
    return control(name, "pause", JobExecution::pause);
  }

  /** Resumes the paused execution ({@link JobExecution#resume()}); same errors as {@link #pause}. */
  public JobExecution resume(String name) {
    return control(name, "resume", JobExecution::resume);
  }

  /** Cancels the running execution ({@link JobExecution#cancel()}); same errors as {@link #pause}. */
  public JobExecution cancel(String name) {
    return control(name, "cancel", JobExecution::cancel);
  }

  /**
   * Changes the running execution's limits ({@link JobExecution#rethrottle(double)}, {@link
   * JobExecution#concurrency(int)}); a null leaves that limit as it is. Same errors as {@link
   * #pause}, and {@link IllegalArgumentException} naming the option, the value and the rule for a
   * value out of range.
   */
  public JobExecution rethrottle(String name, Double maxEventsPerSecond, Integer concurrency) {
    return control(name, "rethrottle", e -> {
      if (concurrency != null) {
        e.concurrency(concurrency);
      }
      if (maxEventsPerSecond != null) {
        e.rethrottle(maxEventsPerSecond);
      }
    });
  }

  private JobExecution control(String name, String operation, Consumer<JobExecution> request) {
    JobExecution e = execution(name).orElseThrow(() -> new IllegalStateException(
        "job '" + name + "' has not been started: start it first"));
    if (e.isDone()) {
      throw new IllegalStateException("job '" + name + "' is " + e.progress().status()
          + ": nothing to " + operation + " (start or restart it to run it again)");
    }
    request.accept(e);
    return e;
  }

  private ReprocessJob requireJob(String name) {
    ReprocessJob job = jobs.get(name);
    if (job == null) {
      throw new IllegalArgumentException("no job named '" + name + "': the jobs are " + jobs.keySet());
    }
    return job;
  }

  @Override
  public synchronized void start() {
    running = true;
    for (String name : jobs.keySet()) {
      if (runOnStartup.contains(name)) {
        log.info("job '{}': starting on application startup", name);
        start(name);
      }
    }
  }

  @Override
  public void stop() {
    List<JobExecution> running;
    synchronized (this) {
      this.running = false;
      running = new ArrayList<>(executions.values());
    }
    for (JobExecution e : running) {
      if (!e.isDone()) {
        log.info("job '{}': cancelling on application shutdown", e.jobName());
        e.cancel();
      }
    }
    for (JobExecution e : running) {
      try {
        e.await(shutdownTimeout);
      } catch (JobTimeoutException timedOut) {
        log.warn("job '{}': still running {} after it was cancelled on shutdown", e.jobName(), shutdownTimeout);
      }
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception failed) {
        log.warn("closing {} on shutdown failed", c, failed);
      }
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }
}
