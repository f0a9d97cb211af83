package dev.reprocess.pressure;

import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One {@link LatencyObjective} subscription's samples between two evaluations. {@link #record} is
 * called by the wrapped signal from any thread, concurrently; {@link #close} by one thread at a
 * time (the subscription's timer).
 */
final class ObjectiveWindow {

  /** One evaluated interval. */
  record Sample(long latencyNanos, boolean dropped) {}

  private final Recorder recorder = new Recorder(3);
  private final AtomicBoolean dropSeen = new AtomicBoolean();
  private final double percentile;
  private final long objectiveNanos;
  private final int minSamples;
  private final Histogram pending = new Histogram(3);
  private Histogram recycled;

  ObjectiveWindow(double percentile, long objectiveNanos, int minSamples) {
    this.percentile = percentile * 100;
    this.objectiveNanos = objectiveNanos;
    this.minSamples = minSamples;
  }

  /** A sample of the wrapped signal. */
  void record(long latencyNanos, boolean dropped) {
    if (dropped) {
      dropSeen.set(true);
    } else {
      recorder.recordValue(Math.max(0, latencyNanos));
    }
  }

  /**
   * Ends an interval: the sample to send, or null when nothing is to be sent (no drop and fewer
   * than the least number of samples so far, which then count in the next interval).
   */
  Sample close() {
    recycled = recorder.getIntervalHistogram(recycled);
    pending.add(recycled);
    boolean dropped = dropSeen.getAndSet(false);
    if (pending.getTotalCount() < minSamples) {
      return dropped ? new Sample(pending.getTotalCount() == 0 ? 0 : value(), true) : null;
    }
    long value = value();
    pending.reset();
    return new Sample(value, dropped || value > objectiveNanos);
  }

  private long value() {
    return pending.getValueAtPercentile(percentile);
  }
}
