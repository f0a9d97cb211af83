package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.LimitAlgorithm;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdaptiveRateTest {

  static final long MS = Duration.ofMillis(1).toNanos();

  private static ConcurrencyGate fullAimdGate() throws InterruptedException {
    ConcurrencyGate gate = ConcurrencyGate.adaptive(10, 1, LimitAlgorithm.AIMD);
    for (int i = 0; i < 10; i++) {
      gate.acquire(() -> false);
    }
    return gate;
  }

  @Test
  void theRateFollowsTheLimitAndRethrottleSetsTheRateBeingScaled() throws Exception {
    ConcurrencyGate gate = fullAimdGate();
    RateThrottle throttle = RateThrottle.perSecond("t", 100, Ticker.SYSTEM);
    AdaptiveRate rate = new AdaptiveRate(gate, throttle, true, 100);
    assertThat(throttle.perSecond()).isEqualTo(100);

    gate.sample(0, MS, true); // AIMD: 10 -> 9
    assertThat(gate.limit()).isEqualTo(9);
    assertThat(throttle.perSecond()).isEqualTo(90);

    rate.rethrottle(200);
    assertThat(throttle.perSecond()).isEqualTo(180);

    gate.changeMax(3);
    rate.apply();
    assertThat(throttle.perSecond()).isEqualTo(60);

    rate.rethrottle(0);
    assertThat(throttle.limited()).isFalse();
  }

  @Test
  void withoutAdaptiveRateTheLimitLeavesTheRateAlone() throws Exception {
    ConcurrencyGate gate = fullAimdGate();
    RateThrottle throttle = RateThrottle.perSecond("t", 100, Ticker.SYSTEM);
    AdaptiveRate rate = new AdaptiveRate(gate, throttle, false, 100);
    gate.sample(0, MS, true);
    assertThat(throttle.perSecond()).isEqualTo(100);
    rate.rethrottle(50);
    assertThat(throttle.perSecond()).isEqualTo(50);
  }
}
