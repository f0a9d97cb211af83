package dev.reprocess;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct, in-process {@link EventSink}: runs an {@link EventHandler} on a bounded pool of its
 * own threads and completes each delivery with the handler's outcome. A job built with {@link
 * ReprocessJob.Builder#handler(EventHandler)} creates one per execution, sized to the job's
 * concurrency, and closes it at the end.
 *
 * <p>{@link #deliver} never blocks: it queues the event for the pool. The queue is unbounded; the
 * job keeps it short by never having more than its concurrency in flight. A handler returning
 * {@code null} counts as {@link Outcome#SUCCEEDED}; whatever it throws completes the stage
 * exceptionally with that exception, unwrapped.
 *
 * <p>Thread-safe. {@link #close()} lets queued and running handlers finish, waiting up to 30 s,
 * then interrupts them; closing twice is harmless; after close, {@code deliver} returns a stage
 * failed with {@link IllegalStateException}.
 */
public final class DirectEventSink implements EventSink {

  private final EventHandler handler;
  private final ThreadPoolExecutor pool;
  private final String name;

  /**
   * @param handler the host's handler
   * @param threads the pool size, at least 1: the most handler calls running at once
   * @param threadNamePrefix prefix of the pool's thread names, e.g. {@code reprocess-backfill-handler}
   * @throws IllegalArgumentException if {@code threads} is below 1
   */
  public DirectEventSink(EventHandler handler, int threads, String threadNamePrefix) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1");
    }
    this.name = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), tf);
    this.pool.allowCoreThreadTimeOut(true);
  }

  @Override
  public CompletionStage<Outcome> deliver(ReprocessEvent event) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          Outcome outcome = handler.handle(event);
          result.complete(outcome == null ? Outcome.SUCCEEDED : outcome);
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new IllegalStateException("direct sink " + name + " is closed", e));
    }
    return result;
  }

  /** The number of pool threads, the most handler calls running at once. */
  public int threads() {
    return pool.getMaximumPoolSize();
  }

  @Override
  public String describe() {
    return "direct handler (" + pool.getMaximumPoolSize() + " threads)";
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

}
