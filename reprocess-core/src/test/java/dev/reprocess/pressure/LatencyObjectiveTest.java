package dev.reprocess.pressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.PressureSignal;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LatencyObjectiveTest {

  private static final long MS = 1_000_000L;

  @Test
  void anIntervalWhosePercentileMissesTheObjectiveIsADrop() {
    ObjectiveWindow w = new ObjectiveWindow(0.99, 9 * MS, 50);
    for (int i = 0; i < 100; i++) {
      w.record(5 * MS, false);
    }
    ObjectiveWindow.Sample met = w.close();
    assertThat(met.dropped()).isFalse();
    assertThat(met.latencyNanos()).isBetween(4_990_000L, 5_010_000L);

    for (int i = 0; i < 97; i++) {
      w.record(5 * MS, false);
    }
    for (int i = 0; i < 3; i++) {
      w.record(30 * MS, false); // 3% over: the p99 is 30 ms
    }
    ObjectiveWindow.Sample missed = w.close();
    assertThat(missed.dropped()).isTrue();
    assertThat(missed.latencyNanos()).isBetween(29_900_000L, 30_100_000L);
  }

  @Test
  void tooFewSamplesCarryOverAndAWrappedDropIsSentAtOnce() {
    ObjectiveWindow w = new ObjectiveWindow(0.99, 9 * MS, 50);
    for (int i = 0; i < 30; i++) {
      w.record(20 * MS, false);
    }
    assertThat(w.close()).as("30 samples < 50: nothing yet").isNull();
    for (int i = 0; i < 30; i++) {
      w.record(20 * MS, false);
    }
    ObjectiveWindow.Sample carried = w.close();
    assertThat(carried).isNotNull();
    assertThat(carried.dropped()).isTrue();
    assertThat(w.close()).as("the 60 samples were used up").isNull();

    w.record(1 * MS, true);
    ObjectiveWindow.Sample drop = w.close();
    assertThat(drop).isEqualTo(new ObjectiveWindow.Sample(0, true));
  }

  @Test
  void aSubscriptionSendsOneSamplePerIntervalAndClosesTheWrappedOne() {
    AtomicReference<PressureSignal.Listener> wrappedListener = new AtomicReference<>();
    AtomicBoolean wrappedClosed = new AtomicBoolean();
    PressureSignal wrapped = new PressureSignal() {
      @Override
      public Subscription subscribe(Listener listener) {
        wrappedListener.set(listener);
        return () -> wrappedClosed.set(true);
      }

      @Override
      public String describe() {
        return "production";
      }
    };
    LatencyObjective signal = LatencyObjective.builder(wrapped).objective(Duration.ofMillis(9))
        .interval(Duration.ofMillis(20)).minSamples(10).build();
    assertThat(signal.describe()).isEqualTo("production held to p99 <= 9 ms every 20 ms");
    ConcurrentLinkedQueue<ObjectiveWindow.Sample> samples = new ConcurrentLinkedQueue<>();
    try (PressureSignal.Subscription s = signal.subscribe((l, d) -> samples.add(new ObjectiveWindow.Sample(l, d)))) {
      for (int i = 0; i < 10; i++) {
        wrappedListener.get().onSample(40 * MS, false);
      }
      await().until(() -> !samples.isEmpty());
      assertThat(samples.peek().dropped()).isTrue();
      assertThat(samples).hasSize(1);
    }
    assertThat(wrappedClosed).isTrue();
  }

  @Test
  void badSettingsAreRefusedWithTheRule() {
    PressureSignal any = PressureSignal.handlerLatency();
    assertThatThrownBy(() -> LatencyObjective.builder(any).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("objective is not set");
    assertThatThrownBy(() -> LatencyObjective.builder(any).objective(Duration.ZERO))
        .hasMessageContaining("objective is PT0S: it must be more than 0");
    assertThatThrownBy(() -> LatencyObjective.builder(any).percentile(99))
        .hasMessageContaining("percentile is 99.0: it must be between 0 and 1 exclusive");
    assertThatThrownBy(() -> LatencyObjective.builder(any).interval(Duration.ofMillis(1)))
        .hasMessageContaining("interval is PT0.001S: it must be 10 ms to 1 min");
    assertThatThrownBy(() -> LatencyObjective.builder(any).minSamples(0))
        .hasMessageContaining("minSamples is 0: it must be 1 to 1,000,000");
  }
}
