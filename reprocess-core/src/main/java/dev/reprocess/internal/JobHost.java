package dev.reprocess.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What a process that runs several jobs one after another (a distributed job's host, which starts
 * a job over its partitions' shards at each rebalance) shares with them: a pool of daemon threads their
 * coordinators, shard readers, checkpoint writers, timers, lease renewers and in-process handler
 * threads (with their watchdogs and stall check) borrow instead of starting threads of their own, which costs a
 * thread start and end each (about 0.2 ms of CPU) several times per job. Everything else of a job
 * stays its own: lease, fencing token, checkpoints, sink, timer.
 *
 * <p>A job uses the host that {@link #starting} names while the job's {@code start()} runs on
 * that thread; any other job starts its own threads as before. Idle threads end after {@value
 * #KEEP_ALIVE_SECONDS} s; {@link #close()} ends the idle threads at once and, from then on, each
 * thread as soon as it is idle: a job that outlives its host's stop (a handler stuck past {@code
 * stopTimeout}) still gets the threads it asks for, and nothing is refused.
 * Borrowed threads take the job's thread names while they run its tasks ({@code reprocess-<job>},
 * {@code reprocess-<job>-shard-<n>}, {@code reprocess-<job>-checkpoints-<n>}, {@code
 * reprocess-<job>-handler-<n>}) and {@code <threadNamePrefix>-<n>} while idle. A handler thread
 * that a timed-out call left blocked stays out of the pool until the handler returns. Thread-safe.
 */
public final class JobHost implements AutoCloseable {
  static final int KEEP_ALIVE_SECONDS = 30;
  private static final ThreadLocal<JobHost> STARTING = new ThreadLocal<>();

  private final ThreadPoolExecutor pool;

  /** A host whose idle threads are named {@code <threadNamePrefix>-<n>}. */
  public JobHost(String threadNamePrefix) {
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, threadNamePrefix + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Calls {@code start} (which starts jobs, e.g. {@code job.start()}) with this host as the one
   * the jobs it starts on this thread use; returns what it returns.
   */
  public <T> T starting(Supplier<T> start) {
    JobHost outer = STARTING.get();
    STARTING.set(this);
    try {
      return start.get();
    } finally {
      if (outer == null) {
        STARTING.remove();
      } else {
        STARTING.set(outer);
      }
    }
  }

  /** The host of the job being started on this thread, or null (the job starts its own threads). */
  static JobHost current() {
    return STARTING.get();
  }

  /** An executor of one job on this host's threads (see {@link BorrowedExecutor}). */
  ExecutorService executor(IntFunction<String> threadName, int parallelism) {
    return new BorrowedExecutor(pool, threadName, parallelism);
  }

  /**
   * Runs {@code task} on a thread of this host named {@code threadName} while it runs; the
   * thread's interrupt flag is cleared when the task ends.
   */
  void start(String threadName, Runnable task) {
    pool.execute(() -> {
      Thread thread = Thread.currentThread();
      String idleName = thread.getName();
      thread.setName(threadName);
      try {
        task.run();
      } finally {
        Thread.interrupted();
        thread.setName(idleName);
      }
    });
  }

  /** Threads alive in the pool, running or idle. */
  public int threads() {
    return pool.getPoolSize();
  }

  /** Threads running a task now. */
  public int busyThreads() {
    return pool.getActiveCount();
  }

  /** Idle threads end now, busy ones once their task is done; idempotent. */
  @Override
  public void close() {
    pool.setKeepAliveTime(1, TimeUnit.NANOSECONDS); // interrupts the idle threads' wait
  }
}
