package dev.reprocess.pressure;

import dev.reprocess.PressureSignal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PressureSignal} that holds another one to a latency objective (a service-level
 * objective such as "production's p99 stays under 9 ms"): it collects the wrapped signal's samples
 * over each {@link Builder#interval(Duration) interval} and sends one sample per interval, the
 * interval's {@link Builder#percentile(double) percentile}, marked as a drop when it is above the
 * {@link Builder#objective(Duration) objective} or when any wrapped sample was a drop.
 *
 * <p>Use it when the goal is a latency level rather than a trend: {@link
 * dev.reprocess.LimitAlgorithm#GRADIENT2 GRADIENT2} and {@link dev.reprocess.LimitAlgorithm#VEGAS
 * VEGAS} learn what latency is normal from the samples and get used to a steady rise, while {@link
 * dev.reprocess.LimitAlgorithm#AIMD AIMD} with this signal lowers the limit (to 0.9 of it) in every
 * interval whose percentile misses the objective and raises it by one in every interval that meets
 * it. Typical use, with the driver's latency of production's own requests:
 *
 * <pre>{@code
 * PressureSignal production = DriverPressureSignal.filter(r -> isProduction(r));
 * ReprocessJob.builder("backfill")
 *     .adaptiveConcurrency(true)
 *     .limitAlgorithm(LimitAlgorithm.AIMD)
 *     .pressureSignal(LatencyObjective.builder(production)
 *         .percentile(0.99).objective(Duration.ofMillis(9)).build())
 * }</pre>
 *
 * <p>An interval with fewer than {@link Builder#minSamples(int) minSamples} samples (default 50)
 * sends nothing and its samples count in the next one, so that a percentile is never taken of a
 * handful of requests; an interval with a wrapped drop sends the drop at once. Each subscription
 * subscribes to the wrapped signal and evaluates its intervals on a daemon thread of its own,
 * {@code reprocess-objective}, both stopped when the subscription is closed. Thread-safe; one
 * signal may serve several jobs.
 */
public final class LatencyObjective implements PressureSignal {

  private static final Logger LOG = LoggerFactory.getLogger(LatencyObjective.class);

  /** The default percentile: the p99. */
  public static final double DEFAULT_PERCENTILE = 0.99;
  /** The default interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
  /** The default least number of samples a percentile is taken of. */
  public static final int DEFAULT_MIN_SAMPLES = 50;

  private final PressureSignal signal;
  private final double percentile;
  private final long objectiveNanos;
  private final Duration interval;
  private final int minSamples;

  private LatencyObjective(Builder b) {
    this.signal = b.signal;
    this.percentile = b.percentile;
    this.objectiveNanos = b.objective.toNanos();
    this.interval = b.interval;
    this.minSamples = b.minSamples;
  }

  /**
   * A builder that holds {@code signal} to an objective; {@link Builder#objective(Duration)} is
   * required.
   */
  public static Builder builder(PressureSignal signal) {
    return new Builder(signal);
  }

  @Override
  public Subscription subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    ObjectiveWindow window = new ObjectiveWindow(percentile, objectiveNanos, minSamples);
    Subscription wrapped = signal.subscribe(window::record);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reprocess-objective");
      t.setDaemon(true);
      return t;
    });
    long nanos = interval.toNanos();
    executor.scheduleAtFixedRate(() -> {
      try {
        ObjectiveWindow.Sample s = window.close();
        if (s != null) {
          listener.onSample(s.latencyNanos(), s.dropped());
        }
      } catch (RuntimeException e) {
        LOG.warn("pressure signal {}: an interval failed: {}", describe(), e.toString());
      }
    }, nanos, nanos, TimeUnit.NANOSECONDS);
    return () -> {
      executor.shutdownNow();
      wrapped.close();
    };
  }

  @Override
  public String describe() {
    return signal.describe() + " held to p" + trim(percentile * 100) + " <= " + trim(objectiveNanos / 1e6)
        + " ms every " + interval.toMillis() + " ms";
  }

  @Override
  public String toString() {
    return describe();
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** Builds a {@link LatencyObjective}. Not thread-safe. */
  public static final class Builder {

    private final PressureSignal signal;
    private double percentile = DEFAULT_PERCENTILE;
    private Duration objective;
    private Duration interval = DEFAULT_INTERVAL;
    private int minSamples = DEFAULT_MIN_SAMPLES;

    private Builder(PressureSignal signal) {
      this.signal = Objects.requireNonNull(signal, "signal");
    }

    /**
     * The percentile held to the objective, 0 &lt; p &lt; 1; default 0.99.
     *
     * @throws IllegalArgumentException naming the value and the rule when not in (0, 1)
     */
    public Builder percentile(double percentile) {
      this.percentile = SignalSettings.percentile(percentile);
      return this;
    }

    /**
     * The latency the percentile must stay at or under; required, more than 0.
     *
     * @throws IllegalArgumentException naming the value and the rule when not positive
     */
    public Builder objective(Duration objective) {
      Objects.requireNonNull(objective, "objective");
      if (objective.isNegative() || objective.isZero()) {
        throw new IllegalArgumentException("objective is " + objective
            + ": it must be more than 0, e.g. Duration.ofMillis(9) for a p99 of 9 ms");
      }
      this.objective = objective;
      return this;
    }

    /**
     * How often the percentile is taken: 10 ms to 1 min; default 500 ms.
     *
     * @throws IllegalArgumentException naming the value and the rule when out of range
     */
    public Builder interval(Duration interval) {
      this.interval = SignalSettings.interval(interval);
      return this;
    }

    /**
     * The least number of samples a percentile is taken of, 1 to 1,000,000; default 50. Fewer in an interval carry over to the next.
     *
     * @throws IllegalArgumentException naming the value and the rule when out of range
     */
    public Builder minSamples(int minSamples) {
      if (minSamples < 1 || minSamples > 1_000_000) {
        throw new IllegalArgumentException("minSamples is " + minSamples + ": it must be 1 to 1,000,000");
      }
      this.minSamples = minSamples;
      return this;
    }

    /**
     * The signal.
     *
     * @throws IllegalStateException when no objective was set
     */
    public LatencyObjective build() {
      if (objective == null) {
        throw new IllegalStateException("objective is not set: give the latency the percentile must stay "
            + "under, e.g. objective(Duration.ofMillis(9))");
      }
      return new LatencyObjective(this);
    }
  }
}
