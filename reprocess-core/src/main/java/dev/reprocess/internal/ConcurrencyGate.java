package dev.reprocess.internal;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The engine's limit on events in flight: a blocking gate whose size is either fixed or set by a
 * Netflix concurrency-limits {@link Limit} algorithm.
 *
 * <p>Adaptive mode uses {@link Gradient2Limit} (bounded by {@code 1..max}, starting at {@code
 * max}): the engine feeds it one sample per successful attempt with that attempt's handler latency
 * ({@link #sample}), and the limit goes down when short-term latency rises above the long-term
 * average, and back up when it falls. {@link #acquire} blocks (the engine's back-pressure) rather
 * than rejecting. Why the gate is not concurrency-limits' {@code SimpleLimiter}: see
 * reprocess-core/README.md.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyGate {

  private final Limit limit;
  private final int max;
  private final boolean adaptive;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private int inFlight;
  private boolean paused;
  /** The cap set live by {@link #changeMax}, 1..max; {@code max} until then. */
  private volatile int ceiling;

  private ConcurrencyGate(Limit limit, int max, boolean adaptive) {
    this.limit = limit;
    this.max = max;
    this.adaptive = adaptive;
    this.ceiling = max;
    limit.notifyOnChange(newLimit -> wakeUp());
  }

  /** A gate of {@code max} permits. */
  public static ConcurrencyGate fixed(int max) {
    return new ConcurrencyGate(FixedLimit.of(max), max, false);
  }

  /** A gate whose size adapts to latency between 1 and {@code max}, starting at {@code max}. */
  public static ConcurrencyGate adaptive(int max) {
    Gradient2Limit limit = Gradient2Limit.newBuilder()
        .initialLimit(max)
        .minLimit(1)
        .maxConcurrency(max)
        .build();
    return new ConcurrencyGate(limit, max, true);
  }

  /** True when the limit adapts to latency. */
  public boolean adaptive() {
    return adaptive;
  }

  /** The current limit on events in flight, 1..max. */
  public int limit() {
    return Math.max(1, Math.min(ceiling, limit.getLimit()));
  }

  /** The largest limit the gate was built with. */
  public int max() {
    return max;
  }

  /**
   * Caps the limit at {@code ceiling} (1..{@link #max()}): a fixed gate's size, an adaptive gate's
   * upper bound. Events in flight keep their permits; lowering lets no new one in until they drop
   * below the cap, raising wakes the waiting ones.
   */
  public void changeMax(int ceiling) {
    if (ceiling < 1 || ceiling > max) {
      throw new IllegalArgumentException("concurrency is " + ceiling + ": it must be 1 to " + max);
    }
    this.ceiling = ceiling;
    wakeUp();
  }

  /** Events holding a permit now. */
  public int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a permit, waiting while the gate is full or paused.
   *
   * @param stop checked whenever the caller wakes up; when it returns true, gives up
   * @return true with a permit taken; false when {@code stop} said so
   */
  public boolean acquire(BooleanSupplier stop) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (stop.getAsBoolean()) {
          return false;
        }
        if (!paused && inFlight < limit()) {
          inFlight++;
          return true;
        }
        released.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Pauses or resumes the gate. Once {@code setPaused(true)} returns, no permit is handed out until
   * {@code setPaused(false)}: every permit taken so far was taken before the pause.
   */
  public void setPaused(boolean paused) {
    lock.lock();
    try {
      this.paused = paused;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** True between {@code setPaused(true)} and {@code setPaused(false)}. */
  public boolean paused() {
    lock.lock();
    try {
      return paused;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits while the gate is paused.
   *
   * @return true when not paused; false when {@code stop} said so
   */
  public boolean awaitUnpaused(BooleanSupplier stop) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (stop.getAsBoolean()) {
          return false;
        }
        if (!paused) {
          return true;
        }
        released.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Gives back a permit. */
  public void release() {
    lock.lock();
    try {
      inFlight--;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Feeds the limit algorithm the latency of one successful attempt (no effect on a fixed gate).
   *
   * @param startNanos when the attempt started, in ticker nanoseconds
   * @param latencyNanos how long it took
   */
  public void sample(long startNanos, long latencyNanos) {
    if (adaptive) {
      limit.onSample(startNanos, latencyNanos, inFlight(), false);
    }
  }

  /** Wakes every thread waiting in {@link #acquire} so it checks its stop condition again. */
  public void wakeUp() {
    lock.lock();
    try {
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
