package dev.reprocess.pressure;

import dev.reprocess.PressureSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PressureSignal} read from a Micrometer {@link Timer} the host names, typically its own
 * production requests (e.g. {@code http.server.requests} with {@code uri=/assets/{id}}), or the
 * Cassandra driver's {@code cql-requests} timer when the driver's metrics go to Micrometer.
 *
 * <p>Every {@link Builder#interval(Duration) interval} (default 1 s) a subscription reads the
 * timers matching the name and tags and sends one sample: by default the mean latency of the
 * requests recorded during the interval (from the change of count and total time), or, with {@link
 * Builder#percentile(double)}, the largest value of that client-side percentile among the matching
 * timers (the timer must publish it: {@code Timer.builder(..).publishPercentiles(0.99)}). An
 * interval without requests sends no sample. With {@link Builder#dropCounter(String, String...)},
 * an interval in which that counter grew (e.g. the host's count of time-outs or 503s) sends a drop.
 *
 * <p>Each subscription polls on a daemon thread of its own, {@code reprocess-pressure-<timer>},
 * stopped when the subscription is closed. A timer that does not exist yet is looked up again at
 * each poll. Thread-safe; one signal may serve several jobs.
 */
public final class TimerPressureSignal implements PressureSignal {

  private static final Logger LOG = LoggerFactory.getLogger(TimerPressureSignal.class);

  private final MeterRegistry registry;
  private final String timerName;
  private final Tags tags;
  private final double percentile;
  private final Duration interval;
  private final String dropCounterName;
  private final Tags dropCounterTags;

  private TimerPressureSignal(Builder b) {
    this.registry = b.registry;
    this.timerName = b.timerName;
    this.tags = b.tags;
    this.percentile = b.percentile;
    this.interval = b.interval;
    this.dropCounterName = b.dropCounterName;
    this.dropCounterTags = b.dropCounterTags;
  }

  /**
   * A builder for the signal of the timers named {@code timerName} in {@code registry}.
   *
   * @throws IllegalArgumentException if the name is blank
   */
  public static Builder builder(MeterRegistry registry, String timerName) {
    return new Builder(registry, timerName);
  }

  @Override
  public Subscription subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    Poller poller = new Poller(listener);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reprocess-pressure-" + timerName);
      t.setDaemon(true);
      return t;
    });
    long nanos = interval.toNanos();
    executor.scheduleAtFixedRate(poller::poll, nanos, nanos, TimeUnit.NANOSECONDS);
    return executor::shutdownNow;
  }

  @Override
  public String describe() {
    String stat = Double.isNaN(percentile) ? "mean" : "p" + format(percentile * 100);
    return "timer " + timerName + tagsText(tags) + " (" + stat + " every " + interval.toMillis() + " ms"
        + (dropCounterName == null ? "" : ", drops from " + dropCounterName + tagsText(dropCounterTags)) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  private static String tagsText(Tags tags) {
    StringBuilder sb = new StringBuilder();
    for (Tag t : tags) {
      sb.append(sb.length() == 0 ? "{" : ",").append(t.getKey()).append('=').append(t.getValue());
    }
    return sb.length() == 0 ? "" : sb.append('}').toString();
  }

  private static String format(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** One subscription's state between polls; only its poll thread touches it. */
  private final class Poller {

    private final Listener listener;
    private long lastCount;
    private double lastTotalNanos;
    private double lastDrops;
    private boolean warnedNoPercentile;

    /** Starts from the meters' values at subscription: only what happens after it counts. */
    Poller(Listener listener) {
      this.listener = listener;
      Collection<Timer> timers = timers();
      this.lastCount = count(timers);
      this.lastTotalNanos = totalNanos(timers);
      this.lastDrops = drops();
    }

    void poll() {
      try {
        double drops = drops();
        if (drops > lastDrops) {
          listener.onSample(0, true);
        }
        lastDrops = drops;
        Collection<Timer> timers = timers();
        long count = count(timers);
        double total = totalNanos(timers);
        long requests = count - lastCount;
        double mean = requests > 0 ? (total - lastTotalNanos) / requests : 0;
        lastCount = count;
        lastTotalNanos = total;
        if (requests <= 0) {
          return;
        }
        long sample = Double.isNaN(percentile) ? (long) mean : percentileNanos(timers);
        if (sample >= 0) {
          listener.onSample(sample, false);
        }
      } catch (RuntimeException e) {
        LOG.warn("pressure signal {}: reading it failed: {}", describe(), e.toString());
      }
    }

    private Collection<Timer> timers() {
      return registry.find(timerName).tags(tags).timers();
    }

    private static long count(Collection<Timer> timers) {
      long count = 0;
      for (Timer t : timers) {
        count += t.count();
      }
      return count;
    }

    private static double totalNanos(Collection<Timer> timers) {
      double total = 0;
      for (Timer t : timers) {
        total += t.totalTime(TimeUnit.NANOSECONDS);
      }
      return total;
    }

    /** The drop counters' total; 0 without a drop counter. */
    private double drops() {
      double drops = 0;
      if (dropCounterName != null) {
        for (Counter c : registry.find(dropCounterName).tags(dropCounterTags).counters()) {
          drops += c.count();
        }
      }
      return drops;
    }

    /** The largest published value of the percentile, or -1 when no timer publishes it. */
    private long percentileNanos(Collection<Timer> timers) {
      double max = -1;
      for (Timer t : timers) {
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
          if (Math.abs(v.percentile() - percentile) < 1e-9) {
            max = Math.max(max, v.value(TimeUnit.NANOSECONDS));
          }
        }
      }
      if (max < 0 && !warnedNoPercentile) {
        warnedNoPercentile = true;
        LOG.warn("pressure signal {}: no timer named {} publishes the percentile {}: publish it with "
            + "Timer.builder(..).publishPercentiles({}), or use the mean (no percentile)", describe(),
            timerName, percentile, percentile);
      }
      return (long) max;
    }
  }

  /** Builds a {@link TimerPressureSignal}. Not thread-safe. */
  public static final class Builder {

    private final MeterRegistry registry;
    private final String timerName;
    private Tags tags = Tags.empty();
    private double percentile = Double.NaN;
    private Duration interval = Duration.ofSeconds(1);
    private String dropCounterName;
    private Tags dropCounterTags = Tags.empty();

    private Builder(MeterRegistry registry, String timerName) {
      this.registry = Objects.requireNonNull(registry, "registry");
      if (timerName == null || timerName.isBlank()) {
        throw new IllegalArgumentException("timerName is " + (timerName == null ? "null" : "blank")
            + ": name the Micrometer timer to read, e.g. http.server.requests");
      }
      this.timerName = timerName;
    }

    /** Only timers with these tags (key, value pairs); default all timers of the name. */
    public Builder tags(String... keyValues) {
      this.tags = Tags.of(keyValues);
      return this;
    }

    /**
     * Samples this client-side percentile (0 &lt; p &lt; 1, e.g. 0.99) instead of the interval's mean;
     * the timer must publish it.
     *
     * @throws IllegalArgumentException naming the value and the rule when not in (0, 1)
     */
    public Builder percentile(double percentile) {
      this.percentile = SignalSettings.percentile(percentile);
      return this;
    }

    /**
     * How often a sample is taken: 10 ms to 1 min; default 1 s.
     *
     * @throws IllegalArgumentException naming the value and the rule when out of range
     */
    public Builder interval(Duration interval) {
      this.interval = SignalSettings.interval(interval);
      return this;
    }

    /**
     * A counter of the host's failures that mean "slow down" (time-outs, overloaded, unavailable):
     * an interval in which it grew sends a drop.
     *
     * @param name the counter's name
     * @param keyValues its tags, as key, value pairs
     */
    public Builder dropCounter(String name, String... keyValues) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("dropCounter name is " + (name == null ? "null" : "blank")
            + ": name the Micrometer counter of failures");
      }
      this.dropCounterName = name;
      this.dropCounterTags = Tags.of(keyValues);
      return this;
    }

    /** The signal. */
    public TimerPressureSignal build() {
      return new TimerPressureSignal(this);
    }
  }
}
