package dev.reprocess;

/**
 * The algorithm that moves an adaptive job's limit on events in flight (see {@link
 * ReprocessJob.Builder#adaptiveConcurrency(boolean)}), from Netflix concurrency-limits. Every one
 * is bounded by {@link ReprocessJob.Builder#minConcurrency(int) minConcurrency} and {@link
 * ReprocessJob.Builder#concurrency(int) concurrency}, starts at {@code concurrency}, and learns
 * from the job's {@link PressureSignal}: latency samples, and drops (errors, time-outs,
 * overloaded or unavailable responses).
 */
public enum LimitAlgorithm {

  /**
   * {@code Gradient2Limit}, the default: lowers the limit when the short-term average latency rises
   * above the long-term one, raises it when it falls back. Reacts to a trend; tolerant of a steady
   * latency of any level.
   */
  GRADIENT2,

  /**
   * {@code VegasLimit}: estimates the queue behind the limit from the latency over the lowest
   * latency seen, and keeps it small. Reacts to latency above the best case; a drop lowers it.
   */
  VEGAS,

  /**
   * {@code AIMDLimit}: additive increase while samples come back without a drop, multiplicative
   * decrease (to 0.9 of the limit) at each drop or a sample slower than 5 s. Ignores latency
   * otherwise: the signal to use when the backend says "overloaded" rather than slowing down.
   */
  AIMD
}
