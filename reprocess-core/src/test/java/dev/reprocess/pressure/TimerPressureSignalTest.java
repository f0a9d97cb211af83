package dev.reprocess.pressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.PressureSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class TimerPressureSignalTest {

  record Sample(long latencyNanos, boolean dropped) {}

  private static boolean pollThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("reprocess-pressure-production.requests") && t.isAlive());
  }

  @Test
  void eachIntervalSendsTheMeanOfItsRequestsAndNothingWhenThereWereNone() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Timer production = Timer.builder("production.requests").tag("uri", "/assets").register(registry);
    Timer other = Timer.builder("production.requests").tag("uri", "/health").register(registry);
    TimerPressureSignal signal = TimerPressureSignal.builder(registry, "production.requests")
        .tags("uri", "/assets").interval(Duration.ofMillis(20)).build();
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();

    try (PressureSignal.Subscription s = signal.subscribe((l, d) -> samples.add(new Sample(l, d)))) {
      production.record(Duration.ofMillis(10));
      production.record(Duration.ofMillis(30));
      other.record(Duration.ofSeconds(9));
      await().until(() -> !samples.isEmpty());
      assertThat(samples.peek()).isEqualTo(new Sample(Duration.ofMillis(20).toNanos(), false));

      samples.clear();
      production.record(Duration.ofMillis(400));
      await().until(() -> samples.stream().anyMatch(x -> x.latencyNanos() == Duration.ofMillis(400).toNanos()));
      assertThat(samples).as("intervals without requests send nothing").hasSize(1);
    }
    await().until(() -> !pollThreadAlive());
  }

  @Test
  void aPublishedPercentileAndADropCounterAreSent() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Timer production = Timer.builder("production.requests").publishPercentiles(0.99).register(registry);
    Counter timeouts = Counter.builder("production.timeouts").register(registry);
    timeouts.increment(5); // before the subscription: not a drop
    TimerPressureSignal signal = TimerPressureSignal.builder(registry, "production.requests")
        .percentile(0.99).dropCounter("production.timeouts").interval(Duration.ofMillis(20)).build();
    assertThat(signal.describe()).isEqualTo(
        "timer production.requests (p99 every 20 ms, drops from production.timeouts)");
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    try (PressureSignal.Subscription s = signal.subscribe((l, d) -> samples.add(new Sample(l, d)))) {
      for (int i = 0; i < 100; i++) {
        production.record(Duration.ofMillis(i < 98 ? 1 : 500));
      }
      await().until(() -> samples.stream().anyMatch(x -> !x.dropped() && x.latencyNanos() > Duration.ofMillis(100).toNanos()));
      assertThat(samples).noneMatch(Sample::dropped);
      timeouts.increment();
      await().until(() -> samples.stream().anyMatch(Sample::dropped));
    }
  }

  @Test
  void badOptionsAreRefusedNamingTheValueAndTheRule() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThatThrownBy(() -> TimerPressureSignal.builder(registry, " "))
        .hasMessageContaining("timerName is blank");
    assertThatThrownBy(() -> TimerPressureSignal.builder(registry, "t").percentile(99))
        .hasMessage("percentile is 99.0: it must be between 0 and 1 exclusive, e.g. 0.99 for the p99");
    assertThatThrownBy(() -> TimerPressureSignal.builder(registry, "t").interval(Duration.ofMillis(1)))
        .hasMessage("interval is PT0.001S: it must be 10 ms to 1 min");
  }
}
