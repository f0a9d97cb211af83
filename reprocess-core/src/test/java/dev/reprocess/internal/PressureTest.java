package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.RetriableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PressureTest {

  static final long MS = Duration.ofMillis(1).toNanos();

  private static ConcurrencyGate fullAimdGate(int max, int min) throws InterruptedException {
    ConcurrencyGate gate = ConcurrencyGate.adaptive(max, min, LimitAlgorithm.AIMD);
    for (int i = 0; i < max; i++) {
      gate.acquire(() -> false);
    }
    return gate;
  }

  @Test
  void withTheHandlerSignalTimeOutsAndRetriableFailuresAreDropsButAnEventsOwnFailureIsNot()
      throws Exception {
    ConcurrencyGate gate = fullAimdGate(20, 2);
    Pressure pressure = new Pressure(gate, PressureSignal.handlerLatency(), Ticker.SYSTEM);

    pressure.onAttempt(0, 5 * MS, new IllegalArgumentException("bad asset"));
    assertThat(gate.limit()).isEqualTo(20);
    assertThat(pressure.samples()).isZero();

    pressure.onAttempt(0, 5 * MS, new RetriableException("overloaded"));
    assertThat(gate.limit()).isEqualTo(18); // AIMD: 0.9 of the limit
    pressure.onAttempt(0, 5 * MS, new HandlerTimeoutException("slow"));
    pressure.onAttempt(0, 5 * MS, new BackendUnavailableException("kafka", "down", null));
    assertThat(gate.limit()).isLessThan(18);
    assertThat(pressure.drops()).isEqualTo(3);

    for (int i = 0; i < 100; i++) {
      pressure.onAttempt(0, 5 * MS, new RetriableException("overloaded"));
    }
    assertThat(gate.limit()).as("never below minConcurrency").isEqualTo(2);

    for (int i = 0; i < 100; i++) {
      pressure.onAttempt(0, 5 * MS, null);
    }
    assertThat(gate.limit()).as("successes raise it again").isGreaterThan(2);
    assertThat(pressure.lastLatencySeconds()).isEqualTo(0.005);
  }

  @Test
  void aHostsSignalIsSubscribedOnStartFeedsTheLimitAndIsClosedAtTheEnd() throws Exception {
    ConcurrencyGate gate = fullAimdGate(10, 1);
    AtomicReference<PressureSignal.Listener> subscribed = new AtomicReference<>();
    PressureSignal signal = new PressureSignal() {
      @Override
      public Subscription subscribe(Listener listener) {
        subscribed.set(listener);
        return () -> subscribed.set(null);
      }

      @Override
      public String describe() {
        return "test signal";
      }
    };
    Pressure pressure = new Pressure(gate, signal, Ticker.SYSTEM);
    pressure.onAttempt(0, 5 * MS, new RetriableException("the handler's failure is not the signal"));
    assertThat(gate.limit()).isEqualTo(10);

    pressure.start();
    assertThat(subscribed.get()).isNotNull();
    subscribed.get().onSample(3 * MS, true);
    assertThat(gate.limit()).isEqualTo(9);
    assertThat(pressure.drops()).isEqualTo(1);

    pressure.close();
    assertThat(subscribed.get()).isNull();
  }

  @Test
  void aFixedGateNeverSubscribes() {
    AtomicReference<PressureSignal.Listener> subscribed = new AtomicReference<>();
    PressureSignal signal = new PressureSignal() {
      @Override
      public Subscription subscribe(Listener listener) {
        subscribed.set(listener);
        return () -> { };
      }

      @Override
      public String describe() {
        return "test signal";
      }
    };
    Pressure pressure = new Pressure(ConcurrencyGate.fixed(4), signal, Ticker.SYSTEM);
    pressure.start();
    assertThat(subscribed.get()).isNull();
  }

  @Test
  void everyAlgorithmStaysWithinMinAndMax() throws Exception {
    for (LimitAlgorithm algorithm : LimitAlgorithm.values()) {
      ConcurrencyGate gate = ConcurrencyGate.adaptive(30, 5, algorithm);
      for (int i = 0; i < 30; i++) {
        gate.acquire(() -> false);
      }
      long now = 0;
      for (int i = 0; i < 500; i++) {
        gate.sample(now, (i < 250 ? 1_000 : 5) * MS, i % 3 == 0 && i < 250);
        now += 10 * MS;
        assertThat(gate.limit()).as(algorithm.name()).isBetween(5, 30);
      }
    }
  }
}
