package dev.reprocess.kafka.internal;

import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.internal.ConcurrencyGate;
import dev.reprocess.internal.Pressure;
import dev.reprocess.internal.RateThrottle;
import dev.reprocess.internal.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live controls of a worker, with core's pieces a job uses for the same: the pause and the
 * limit on handler calls in flight ({@link ConcurrencyGate}, fixed or adaptive), the limit on calls
 * per second ({@link RateThrottle}), and what an adaptive limit learns from ({@link Pressure}).
 *
 * <p>Handler threads take a {@link Permit} before each call ({@link #acquire}): it waits while the
 * worker is paused or the limit is reached, then until the rate allows the call. The poll thread
 * asks {@link #isPaused()} to pause every assigned partition. Thread-safe.
 */
public final class WorkerControl implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkerControl.class);
  /** Longest single park while waiting for a rate permit, so a stop is seen soon. */
  private static final long PARK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * How an adaptive limit moves; {@code null} in {@link WorkerControl#WorkerControl} for a fixed
   * limit.
   */
  public record Adaptive(LimitAlgorithm algorithm, int minConcurrency, PressureSignal signal) {}

  private final String name;
  private final Ticker ticker;
  private final ConcurrencyGate gate;
  private final RateThrottle throttle;
  private final Pressure pressure;
  private volatile boolean closed;

  /**
   * @param concurrency the handler threads, the largest limit
   * @param maxEventsPerSecond 0 for no limit (checked by the builder)
   * @param adaptive null for a fixed limit
   */
  public WorkerControl(String name, int concurrency, double maxEventsPerSecond, Adaptive adaptive, Ticker ticker) {
    this.name = name;
    this.ticker = ticker;
    this.gate = adaptive == null ? ConcurrencyGate.fixed(concurrency)
        : ConcurrencyGate.adaptive(concurrency, adaptive.minConcurrency(), adaptive.algorithm());
    this.throttle = maxEventsPerSecond == 0 ? RateThrottle.unlimited("reprocess-worker-" + name, ticker)
        : RateThrottle.perSecond("reprocess-worker-" + name, maxEventsPerSecond, ticker);
    this.pressure = new Pressure(gate, adaptive == null ? PressureSignal.handlerLatency() : adaptive.signal(), ticker);
    if (adaptive != null) {
      gate.onLimitChange(() -> log.debug("worker '{}': concurrency limit now {}", name, gate.limit()));
    }
  }

  /** Starts listening to a host's pressure signal (adaptive workers only). */
  void start() {
    pressure.start();
  }

  /** Stops listening to the pressure signal and wakes waiting handler threads; later controls do nothing. */
  @Override
  public void close() {
    closed = true;
    pressure.close();
    gate.wakeUp();
  }

  /** Wakes the handler threads waiting for a permit, so they see a stop. */
  void wakeUp() {
    gate.wakeUp();
  }

  /** Pauses (see the worker's {@code pause()}); no effect when closed or paused already. */
  public void pause() {
    if (!closed && !gate.paused()) {
      gate.setPaused(true);
      log.info("worker '{}' paused: no new record is handed to the handler; {} in flight finish", name,
          gate.inFlight());
    }
  }

  /** Resumes; no effect when closed or not paused. */
  public void resume() {
    if (!closed && gate.paused()) {
      gate.setPaused(false);
      log.info("worker '{}' resumed", name);
    }
  }

  /** True between {@link #pause()} and {@link #resume()}. */
  public boolean isPaused() {
    return gate.paused();
  }

  /**
   * A new limit on handler calls per second, 0 for none.
   *
   * @throws IllegalArgumentException {@code worker '<name>': maxEventsPerSecond is <value>: <rule>}
   */
  public void rethrottle(double maxEventsPerSecond) {
    String problem = RateThrottle.rateProblem(maxEventsPerSecond);
    if (problem != null) {
      throw new IllegalArgumentException("worker '" + name + "': maxEventsPerSecond is " + maxEventsPerSecond + ": "
          + problem);
    }
    if (!closed) {
      throttle.change(maxEventsPerSecond);
      log.info("worker '{}' rethrottled: maxEventsPerSecond {}", name, maxEventsPerSecond);
    }
  }

  /**
   * A new limit on handler calls in flight, 1 to the built concurrency (an adaptive limit's upper
   * bound).
   *
   * @throws IllegalArgumentException {@code worker '<name>': concurrency is <value>: <rule>}
   */
  public void concurrency(int concurrency) {
    if (concurrency < 1 || concurrency > gate.max()) {
      throw new IllegalArgumentException("worker '" + name + "': concurrency is " + concurrency + ": it must be 1 to " + gate.max()
          + " (the concurrency the worker was built with)");
    }
    if (!closed) {
      gate.changeMax(concurrency);
      log.info("worker '{}' concurrency limit now at most {}", name, concurrency);
    }
  }

  /** The limit on handler calls in flight now. */
  public int limit() {
    return gate.limit();
  }

  /** The rate limit in force, 0 for none. */
  public double maxEventsPerSecond() {
    return throttle.perSecond();
  }

  /** Handler calls holding a permit now (running, or waiting for the rate). */
  public int inFlight() {
    return gate.inFlight();
  }

  /** What the adaptive limit learns from, for the log. */
  public String describeSignal() {
    return pressure.describe();
  }

  /** Whether the limit adapts. */
  public boolean adaptiveLimit() {
    return gate.adaptive();
  }

  /**
   * Handler thread: waits until the worker is not paused and below its limit, then until the rate
   * allows one more call.
   *
   * @param stop checked while waiting; when true, gives up
   * @return the permit, or null when {@code stop} said so, the control closed, or the thread was
   *     interrupted (its interrupt flag is then set again)
   */
  Permit acquire(BooleanSupplier stop) {
    BooleanSupplier stopOrClosed = () -> closed || stop.getAsBoolean();
    try {
      if (!gate.acquire(stopOrClosed)) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    Permit permit = new Permit();
    long deadline = throttle.reserveDeadlineNanos();
    if (deadline != Long.MIN_VALUE && !awaitDeadline(deadline, stopOrClosed)) {
      permit.release();
      return null;
    }
    return permit;
  }

  private boolean awaitDeadline(long deadlineNanos, BooleanSupplier stop) {
    long left;
    while ((left = deadlineNanos - ticker.nanoTime()) > 0) {
      if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
        return false;
      }
      LockSupport.parkNanos(Math.min(left, PARK_SLICE_NANOS));
    }
    return true;
  }

  /** One handler call's place under the limit; released once, by whichever thread ends the call. */
  final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    /** Ends the call: a sample for the adaptive limit, then the permit back. Once only. */
    void release(long startNanos, long latencyNanos, Throwable failure) {
      if (released.compareAndSet(false, true)) {
        pressure.onAttempt(startNanos, latencyNanos, failure);
        gate.release();
      }
    }

    /** Gives the permit back without a call. */
    void release() {
      if (released.compareAndSet(false, true)) {
        gate.release();
      }
    }
  }
}
