package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.PressureSignal;
import dev.reprocess.RetriableException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Feeds an adaptive job's {@link ConcurrencyGate} from its {@link PressureSignal}: either the
 * engine's own attempt latencies ({@link #onAttempt}, for the default handler-latency signal) or
 * the samples of a host's signal, from the moment {@link #start()} subscribes until {@link
 * #close()}. Counts samples and drops and keeps the last latency for the gauges. Does nothing for
 * a fixed gate. Thread-safe. Public for the Kafka worker, which adapts its handler threads' limit the
 * same way.
 */
public final class Pressure implements AutoCloseable {

  private final ConcurrencyGate gate;
  private final PressureSignal signal;
  private final Ticker ticker;
  private final boolean fromAttempts;
  private final LongAdder samples = new LongAdder();
  private final LongAdder drops = new LongAdder();
  private volatile long lastLatencyNanos;
  private PressureSignal.Subscription subscription;

  public Pressure(ConcurrencyGate gate, PressureSignal signal, Ticker ticker) {
    this.gate = gate;
    this.signal = signal;
    this.ticker = ticker;
    this.fromAttempts = signal instanceof HandlerLatencySignal;
  }

  /** Subscribes to a host's signal (adaptive jobs only); the engine's own samples need nothing. */
  public synchronized void start() {
    if (gate.adaptive() && !fromAttempts && subscription == null) {
      subscription = signal.subscribe(this::onSignal);
    }
  }

  /**
   * One attempt ended: with the handler-latency signal, a success is a sample and a failure that
   * means "slow down" ({@link #isDrop}) a drop; other failures (the event's own) are not samples.
   *
   * @param error the attempt's failure, null when it succeeded
   */
  public void onAttempt(long startNanos, long latencyNanos, Throwable error) {
    if (!fromAttempts || !gate.adaptive()) {
      return;
    }
    if (error == null) {
      record(startNanos, latencyNanos, false);
    } else if (isDrop(RetryVerdict.unwrap(error))) {
      record(startNanos, latencyNanos, true);
    }
  }

  private void onSignal(long latencyNanos, boolean dropped) {
    long latency = Math.max(0, latencyNanos);
    record(ticker.nanoTime() - latency, latency, dropped);
  }

  private void record(long startNanos, long latencyNanos, boolean dropped) {
    samples.increment();
    if (dropped) {
      drops.increment();
    }
    lastLatencyNanos = latencyNanos;
    gate.sample(startNanos, latencyNanos, dropped);
  }

  /**
   * Whether an attempt's failure means "slow down": a time-out, an unavailable backend, or a
   * failure the handler marked retriable (what an overloaded backend gives).
   */
  static boolean isDrop(Throwable failure) {
    return failure instanceof HandlerTimeoutException || failure instanceof TimeoutException
        || failure instanceof BackendUnavailableException || failure instanceof RetriableException;
  }

  /** Samples received so far. */
  public long samples() {
    return samples.sum();
  }

  /** Samples that were drops. */
  public long drops() {
    return drops.sum();
  }

  /** The latency of the last sample, in seconds (0 before the first). */
  double lastLatencySeconds() {
    return lastLatencyNanos / 1e9;
  }

  /** What the limit learns from, for the log. */
  public String describe() {
    return signal.describe();
  }

  @Override
  public synchronized void close() {
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }
}
