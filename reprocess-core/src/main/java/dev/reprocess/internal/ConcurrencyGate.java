package dev.reprocess.internal;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.reprocess.LimitAlgorithm;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The engine's limit on events in flight: a blocking gate whose size is either fixed or set by a
 * Netflix concurrency-limits {@link Limit} algorithm.
 *
 * <p>Adaptive mode uses the job's {@link LimitAlgorithm} (bounded by {@code min..max}, starting at
 * {@code max}): the engine feeds it the samples of the job's pressure signal ({@link #sample}), and
 * the algorithm moves the limit. {@link #acquire} blocks (the engine's back-pressure) rather than
 * rejecting. Why the gate is not concurrency-limits' {@code SimpleLimiter}: see
 * reprocess-core/README.md.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyGate {

  private final Limit limit;
  private final int max;
  private final int min;
  private final boolean adaptive;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  /** Permits taken; changed without the lock (compare-and-set), waited for under it. */
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Threads in a {@link #holdReleases()}: while 0, a release needs not look at {@link #held}. */
  private final AtomicInteger holders = new AtomicInteger();
  /** Per thread: {depth of its holds, permits it released while holding}. */
  private final ThreadLocal<int[]> held = ThreadLocal.withInitial(() -> new int[2]);
  /** Threads waiting in {@link #acquire}/{@link #acquireUpTo}: a release signals only when there are some. */
  private volatile int waiters;
  private volatile boolean paused;
  /** The cap set live by {@link #changeMax}, 1..max; {@code max} until then. */
  private volatile int ceiling;

  private ConcurrencyGate(Limit limit, int max, int min, boolean adaptive) {
    this.limit = limit;
    this.max = max;
    this.min = min;
    this.adaptive = adaptive;
    this.ceiling = max;
    limit.notifyOnChange(newLimit -> wakeUp());
  }

  /** A gate of {@code max} permits. */
  public static ConcurrencyGate fixed(int max) {
    return new ConcurrencyGate(FixedLimit.of(max), max, max, false);
  }

  /** A gate whose size adapts to latency between 1 and {@code max} with Gradient2, starting at {@code max}. */
  public static ConcurrencyGate adaptive(int max) {
    return adaptive(max, 1, LimitAlgorithm.GRADIENT2);
  }

  /**
   * A gate whose size the {@code algorithm} moves between {@code min} and {@code max}, starting at
   * {@code max}.
   *
   * @param max the upper bound, 1 or more
   * @param min the lower bound, 1 to {@code max}
   */
  public static ConcurrencyGate adaptive(int max, int min, LimitAlgorithm algorithm) {
    Limit limit = switch (algorithm) {
      case GRADIENT2 -> Gradient2Limit.newBuilder().initialLimit(max).minLimit(min).maxConcurrency(max).build();
      case VEGAS -> VegasLimit.newBuilder().initialLimit(max).maxConcurrency(max).build();
      case AIMD -> AIMDLimit.newBuilder().minLimit(min).maxLimit(max).initialLimit(max).build();
    };
    return new ConcurrencyGate(limit, max, min, true);
  }

  /** Runs {@code listener} after each change of the algorithm's limit (on the sampling thread). */
  public void onLimitChange(Runnable listener) {
    limit.notifyOnChange(newLimit -> listener.run());
  }

  /** True when the limit adapts to latency. */
  public boolean adaptive() {
    return adaptive;
  }

  /** The current limit on events in flight: the algorithm's, within min..max and the live cap. */
  public int limit() {
    return Math.max(1, Math.min(ceiling, Math.max(min, limit.getLimit())));
  }

  /** The algorithm's own limit, before the bounds: what the gauges show. */
  public int algorithmLimit() {
    return limit.getLimit();
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
    return inFlight.get();
  }

  /**
   * Takes a permit, waiting while the gate is full or paused.
   *
   * @param stop checked whenever the caller wakes up; when it returns true, gives up
   * @return true with a permit taken; false when {@code stop} said so
   */
  public boolean acquire(BooleanSupplier stop) throws InterruptedException {
    return acquireUpTo(1, stop) == 1;
  }

  /**
   * Takes between 1 and {@code most} permits, as many as are free once at least one is, waiting
   * while the gate is full or paused: the same bound as {@code most} calls of {@link #acquire}, for
   * one wake-up. A free permit is taken without the lock.
   *
   * @param most the most permits wanted, 1 or more
   * @param stop checked whenever the caller wakes up; when it returns true, gives up
   * @return the permits taken, 1 to {@code most}; 0 when {@code stop} said so
   */
  public int acquireUpTo(int most, BooleanSupplier stop) throws InterruptedException {
    if (most < 1) {
      throw new IllegalArgumentException("most is " + most + ": it must be at least 1");
    }
    if (stop.getAsBoolean()) {
      return 0;
    }
    int taken = tryTake(most);
    if (taken > 0) {
      return taken;
    }
    lock.lock();
    try {
      waiters++;
      while (true) {
        if (stop.getAsBoolean()) {
          if (waiters > 1) {
            released.signal(); // a release's wake-up may have come to this waiter: pass it on
          }
          return 0;
        }
        taken = tryTake(most);
        if (taken > 0) {
          return taken;
        }
        released.await();
      }
    } finally {
      waiters--;
      lock.unlock();
    }
  }

  /**
   * Takes up to {@code most} free permits without waiting; 0 when none is free or the gate is
   * paused. Each permit taken is given back with {@link #release()}.
   */
  public int tryAcquire(int most) {
    return most < 1 ? 0 : tryTake(most);
  }

  /** Takes up to {@code most} free permits without waiting; 0 when none is free or the gate is paused. */
  private int tryTake(int most) {
    while (!paused) {
      int current = inFlight.get();
      int free = limit() - current;
      if (free <= 0) {
        return 0;
      }
      int taken = Math.min(free, most);
      if (inFlight.compareAndSet(current, current + taken)) {
        if (paused) { // paused meanwhile: a permit taken now would be one handed out after the pause
          inFlight.addAndGet(-taken);
          return 0;
        }
        return taken;
      }
    }
    return 0;
  }

  /**
   * Whether a thread holding a permit whose event is final may keep it for its next event rather
   * than give it back and take another: the gate is not paused and its permits in use are within
   * the current limit (a lowered limit takes the permit back).
   */
  public boolean mayKeep() {
    return !paused && inFlight.get() <= limit();
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

  /**
   * Gives back a permit, waking one waiting thread (one permit serves one waiter); in a {@link
   * #holdReleases()} of the calling thread, at its end.
   */
  public void release() {
    if (holders.get() > 0) {
      int[] mine = held.get();
      if (mine[0] > 0) {
        mine[1]++;
        return;
      }
    }
    release(1);
  }

  /** Gives back {@code permits} permits, waking as many waiting threads at most. */
  private void release(int permits) {
    inFlight.addAndGet(-permits);
    if (waiters > 0) { // read after the decrement: a waiter that registers later sees the permits
      lock.lock();
      try {
        for (int i = Math.min(permits, waiters); i > 0; i--) {
          released.signal();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Until the matching {@link #releaseHeld()}, the permits the calling thread releases are kept
   * and then given back together, at once: a batch's events settle one by one, and a thread
   * taking permits meanwhile would otherwise start its batch with the first one or two. Holds of
   * one thread nest; other threads' releases are not held.
   */
  public void holdReleases() {
    if (held.get()[0]++ == 0) {
      holders.incrementAndGet();
    }
  }

  /** Ends the calling thread's {@link #holdReleases()}: gives back the permits it released meanwhile. */
  public void releaseHeld() {
    int[] mine = held.get();
    if (--mine[0] > 0) {
      return;
    }
    holders.decrementAndGet();
    int permits = mine[1];
    mine[1] = 0;
    if (permits > 0) {
      release(permits);
    }
  }

  /**
   * Feeds the limit algorithm one sample of the job's pressure signal (no effect on a fixed gate).
   *
   * @param startNanos when the measured request started, in ticker nanoseconds
   * @param latencyNanos how long it took
   * @param dropped whether it failed for a reason that means "slow down"
   */
  public void sample(long startNanos, long latencyNanos, boolean dropped) {
    if (adaptive) {
      limit.onSample(startNanos, latencyNanos, inFlight(), dropped);
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
