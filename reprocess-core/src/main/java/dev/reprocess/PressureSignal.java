package dev.reprocess;

import dev.reprocess.internal.HandlerLatencySignal;

/**
 * Where an adaptive job learns how hard it may push: a stream of latency samples and drops that its
 * {@link LimitAlgorithm} turns into the limit on events in flight. By default the signal is the
 * job's own handler latency ({@link #handlerLatency()}); a host whose handler only enqueues work,
 * or that wants to protect production, gives a signal of the backend production depends on: the
 * Cassandra driver's request latency on the host's own session ({@code
 * dev.reprocess.cassandra.DriverPressureSignal}) or a Micrometer timer the host names ({@link
 * dev.reprocess.pressure.TimerPressureSignal}).
 *
 * <p>A signal is used only with {@link ReprocessJob.Builder#adaptiveConcurrency(boolean)
 * adaptiveConcurrency(true)}. One signal object may serve several jobs and executions at once: each
 * execution {@linkplain #subscribe subscribes} when it starts delivering and closes its
 * subscription when it ends. Implementations must be thread-safe.
 */
public interface PressureSignal {

  /**
   * Starts sending samples to {@code listener} until the returned subscription is closed. Called by
   * the engine once per execution, before its first event; the subscription is closed when the
   * execution ends, whatever its status.
   *
   * @param listener told of each sample; may be called from any thread, concurrently; cheap
   * @return the subscription; closing it stops the samples and must not throw
   */
  Subscription subscribe(Listener listener);

  /** What the signal measures, for logs and the job's description, e.g. {@code handler latency}. */
  String describe();

  /** The job's own handler latency, the default signal (see {@link #handlerLatency()}). */
  static PressureSignal handlerLatency() {
    return HandlerLatencySignal.INSTANCE;
  }

  /** Receives samples. */
  @FunctionalInterface
  interface Listener {

    /**
     * One sample.
     *
     * @param latencyNanos how long the measured request took, in nanoseconds, 0 or more
     * @param dropped true when the request failed for a reason that means "slow down": a time-out,
     *     an overloaded or unavailable backend, a retriable error
     */
    void onSample(long latencyNanos, boolean dropped);
  }

  /** A subscription from {@link #subscribe}; {@link #close()} is idempotent and never throws. */
  interface Subscription extends AutoCloseable {

    @Override
    void close();
  }
}
