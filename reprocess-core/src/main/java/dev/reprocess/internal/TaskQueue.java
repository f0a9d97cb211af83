package dev.reprocess.internal;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks of a pool whose threads start on demand, and the count of its threads waiting for one:
 * when more tasks are queued than threads wait, it asks for one more thread ({@code startThread},
 * which does nothing once the pool has its size or is closing).
 *
 * <p>A thread counts as waiting from before it takes a task until after it took one, so a task
 * queued in between starts no thread for itself. Both sides therefore look again after their own
 * change: a queuing thread at the threads waiting, a taking thread at the tasks left. One of them
 * sees the other, so a task is never left in the queue for a thread that has just taken another
 * (if that thread's task then hangs, the queued one would wait for good).
 *
 * <p>Unbounded. Thread-safe.
 *
 * @param <T> the task type
 */
final class TaskQueue<T> {
  private final BlockingQueue<T> queue;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Runnable startThread;

  /** An empty queue; {@code startThread} is called, on the calling thread, when one more thread should start. */
  TaskQueue(Runnable startThread) {
    this(new LinkedBlockingQueue<>(), startThread);
  }

  /** A queue over {@code queue} (empty), for tests that stop a thread inside its take. */
  TaskQueue(BlockingQueue<T> queue, Runnable startThread) {
    this.queue = queue;
    this.startThread = startThread;
  }

  /** Queues a task, asking for a thread if no waiting thread is left for it. */
  void add(T task) {
    queue.add(task);
    startThreadIfShort();
  }

  /** Removes a queued task; false if a thread took it already. */
  boolean remove(T task) {
    return queue.remove(task);
  }

  /** Whether no task is queued. */
  boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * Takes the next task, waiting for one; then asks for a thread if tasks queued meanwhile are left
   * without a waiting thread.
   *
   * @throws InterruptedException if interrupted while waiting (no task taken)
   */
  T take() throws InterruptedException {
    waiting.incrementAndGet();
    T task;
    try {
      task = queue.take();
    } finally {
      waiting.decrementAndGet();
    }
    startThreadIfShort();
    return task;
  }

  private void startThreadIfShort() {
    int queued = queue.size();
    if (queued > 0 && queued > waiting.get()) {
      startThread.run();
    }
  }
}
