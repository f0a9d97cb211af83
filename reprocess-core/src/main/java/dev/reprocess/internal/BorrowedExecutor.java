package dev.reprocess.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * An executor of one job that runs its tasks on threads borrowed from a {@link JobHost}'s pool,
 * at most {@code parallelism} at a time, in submission order: what {@code
 * Executors.newFixedThreadPool(parallelism)} gives a job, without starting threads of its own. A
 * borrowed thread carries the job's thread name ({@code threadName} of its worker number, from 1)
 * while it runs a task of this executor, and goes back to the pool once the queue is empty.
 *
 * <p>{@link #shutdownNow()} interrupts the tasks running then, as a thread pool does; an interrupt
 * never outlives the task it was meant for (a thread going back to the pool has its interrupt
 * flag cleared under the same lock), so it cannot reach another job's task. A task that throws
 * ends alone: the thread stays in the pool. Thread-safe.
 */
final class BorrowedExecutor extends AbstractExecutorService {
  private final Executor pool;
  private final IntFunction<String> threadName;
  private final int parallelism;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  /** Threads running a task of this executor now. */
  private final Set<Thread> running = new HashSet<>();
  private int workers;
  private int workerNo;
  private boolean shutdown;

  /**
   * @param pool where the threads come from
   * @param threadName the name of the n-th worker's thread (from 1) while it runs this executor's tasks
   * @param parallelism tasks running at once, at least 1
   */
  BorrowedExecutor(Executor pool, IntFunction<String> threadName, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism is " + parallelism + ": it must be at least 1");
    }
    this.pool = pool;
    this.threadName = threadName;
    this.parallelism = parallelism;
  }

  @Override
  public void execute(Runnable task) {
    String workerName;
    synchronized (this) {
      if (shutdown) {
        throw new RejectedExecutionException(threadName.apply(1) + "'s executor is shut down");
      }
      queue.add(task);
      if (workers >= parallelism) {
        return;
      }
      workers++;
      workerName = threadName.apply(++workerNo);
    }
    try {
      pool.execute(() -> work(workerName));
    } catch (RuntimeException e) {
      synchronized (this) {
        workers--;
        queue.remove(task);
        notifyAll();
      }
      throw e;
    }
  }

  /** Runs queued tasks on the borrowed thread until none is left. */
  private void work(String workerName) {
    Thread thread = Thread.currentThread();
    String idleName = thread.getName();
    thread.setName(workerName);
    try {
      while (true) {
        Runnable task;
        synchronized (this) {
          task = queue.poll();
          if (task == null) {
            workers--;
            notifyAll();
            return;
          }
          running.add(thread);
        }
        try {
          task.run();
        } catch (Throwable t) {
          // A task's failure is its caller's (FutureTask keeps it); the thread carries on.
          RunContext.LOG.debug("{}: a task threw {}", workerName, t.toString());
        } finally {
          synchronized (this) {
            running.remove(thread);
            Thread.interrupted(); // a shutdownNow() meant for this task ends with it
          }
        }
      }
    } finally {
      thread.setName(idleName);
    }
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    running.forEach(Thread::interrupt);
    return pending;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && workers == 0;
  }

  @Override
  public synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!isTerminated()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
