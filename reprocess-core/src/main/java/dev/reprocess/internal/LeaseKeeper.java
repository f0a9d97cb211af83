package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseLostException;
import dev.reprocess.RunningElsewhere;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Holds a run's {@link JobLease}: acquires it per {@code onRunningElsewhere}, renews it every third
 * of its time to live on its own thread ({@code reprocess-<job>-lease}, borrowed from the {@link
 * JobHost} the job was started on, if any), fails the run when it is
 * lost, and releases it at the end. Lease times are wall-clock time ({@link Instant#now()}), not
 * the job's clock: they are compared across processes. It logs the lease it holds at INFO, or at
 * DEBUG for a job on a {@link JobHost} (whose host logs its jobs' outcomes).
 */
final class LeaseKeeper {

  private static final Logger LOG = RunContext.LOG;

  private final RunContext run;
  private final Duration ttl;
  private volatile JobLease lease;
  /** Renews the lease: a scheduled executor of the job's, or a loop on a host's thread. */
  private ExecutorService renewer;
  /** The backend whose outage failed the last renewal (renewer thread only), or null. */
  private String renewWaitingFor;

  LeaseKeeper(RunContext run) {
    this.run = run;
    this.ttl = run.spec.leaseTimeToLive();
    this.lease = JobLease.none(run.spec.checkpointStore());
  }

  /** The lease checkpoints are written through ({@link JobLease#none} until acquired). */
  JobLease lease() {
    return lease;
  }

  /**
   * Acquires the lease (waiting under {@code WAIT}, at most the {@code outageBudget}) and starts
   * renewing it. A checkpoint store that is unavailable is waited for within the outage budget.
   *
   * @throws LeaseHeldException if another owner holds it and the option says to fail, or still
   *     holds it after a {@code WAIT} of the outage budget
   * @throws OutageWait.WaitAbandoned if the run was cancelled while waiting
   */
  void acquire() {
    CheckpointStore store = run.spec.checkpointStore();
    RunningElsewhere mode = run.spec.onRunningElsewhere();
    String owner = ownerId();
    boolean takeOver = mode != RunningElsewhere.FAIL;
    Instant waitUntil = Instant.now().plus(run.spec.outageBudget());
    String seen = null;
    while (true) {
      try {
        lease = run.outage.get(() -> store.acquireLease(run.name, owner, ttl, takeOver), run::isStopping);
        break;
      } catch (LeaseHeldException e) {
        if (mode != RunningElsewhere.WAIT) {
          throw e;
        }
        if (!Instant.now().isBefore(waitUntil)) {
          throw new LeaseHeldException(run.prefix + "still running elsewhere after waiting the outage budget ("
              + run.spec.outageBudget() + ", the longest onRunningElsewhere WAIT waits): " + e.getMessage(),
              e.holder());
        }
        if (!e.holder().owner().equals(seen)) {
          seen = e.holder().owner();
          LOG.info("{}waiting for the lease held by {} (until {} at most)", run.prefix, e.holder(), waitUntil);
        }
        if (!run.outage.pause(Duration.ofMillis(Math.max(10, ttl.toMillis() / 3)))) {
          throw new OutageWait.WaitAbandoned(run.prefix + "stopped while waiting for the lease held by "
              + e.holder(), e);
        }
      }
    }
    if (!lease.exclusive()) {
      LOG.warn("{}checkpoint store {} has no leases: nothing stops another process from running this"
          + " job at the same time", run.prefix, store);
      return;
    }
    if (run.logsSummary()) {
      run.logSummary("{}holds the lease as '{}' (fencing token {}, time to live {})", run.prefix, owner,
          lease.fencingToken(), ttl);
    }
    startRenewing();
  }

  private void startRenewing() {
    String threadName = "reprocess-" + run.name + "-lease";
    long periodMillis = Math.max(1, ttl.toMillis() / 3);
    if (run.host != null) {
      ExecutorService loop = run.host.executor(n -> threadName, 1);
      renewer = loop;
      loop.execute(() -> renewEvery(periodMillis, loop));
      return;
    }
    ScheduledExecutorService scheduled = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    renewer = scheduled;
    scheduled.scheduleWithFixedDelay(this::renew, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** What {@code scheduleWithFixedDelay} does, on a host's thread, until {@code loop} shuts down. */
  private void renewEvery(long periodMillis, ExecutorService loop) {
    while (!loop.isShutdown()) {
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return; // shutdownNow(): released
      }
      if (!loop.isShutdown()) {
        renew();
      }
    }
  }

  private void renew() {
    JobLease held = lease;
    try {
      held.renew();
      if (renewWaitingFor != null) {
        run.outage.onAvailable(renewWaitingFor);
        renewWaitingFor = null;
      }
    } catch (LeaseLostException e) {
      lost(e);
    } catch (BackendUnavailableException e) {
      // The store cannot be reached, so no other process can take the lease over through it
      // either: keep the claim and renew again. If one did take over meanwhile, the store refuses
      // this run's next renewal and checkpoint writes (fencing), and the run fails then. Logged
      // once per outage (its first failure), as every wait for a backend.
      renewWaitingFor = e.backend();
      run.outage.onUnavailable(e);
    } catch (RuntimeException e) {
      if (!Instant.now().isBefore(held.expiresAt())) {
        lost(new LeaseLostException(run.prefix + "the lease (fencing token " + held.fencingToken()
            + ") expired at " + held.expiresAt() + " before it could be renewed: " + e, e));
      } else {
        LOG.warn("{}renewing the lease failed, retrying before it expires at {}: {}", run.prefix,
            held.expiresAt(), e.toString());
      }
    }
  }

  private void lost(LeaseLostException e) {
    LOG.error("{}lost its lease: {}", run.prefix, e.getMessage());
    run.fail(e);
    renewer.shutdown();
  }

  /** Stops renewing and releases the lease (if still held). Idempotent. */
  void release() {
    if (renewer != null) {
      renewer.shutdownNow();
    }
    try {
      lease.close();
    } catch (RuntimeException e) {
      LOG.warn("{}releasing the lease failed (it expires by itself): {}", run.prefix, e.toString());
    }
  }

  /**
   * {@code <host>/<pid>/<8 random hex digits>}; the host name and pid are looked up once per
   * process (a JVM's host keeps its name while it runs), not once per run.
   */
  static String ownerId() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return ProcessName.PREFIX + HexFormat.of().formatHex(random);
  }

  /** {@code <host>/<pid>/}, computed on first use. */
  private static final class ProcessName {
    static final String PREFIX = hostName() + "/" + ProcessHandle.current().pid() + "/";

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        return "unknown-host";
      }
    }
  }
}
