package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateThrottleTest {

  /** A ticker the test moves by hand. */
  static final class FakeTicker implements Ticker {
    final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public boolean isSystem() {
      return false;
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  @Test
  void reservationsAreSpacedEvenlyAtTheRateOfTheTicker() {
    FakeTicker ticker = new FakeTicker();
    RateThrottle throttle = RateThrottle.perSecond("t", 2.5, ticker);
    assertThat(throttle.reserveNanos()).isZero();
    assertThat(throttle.reserveNanos()).isEqualTo(Duration.ofMillis(400).toNanos());
    assertThat(throttle.reserveNanos()).isEqualTo(Duration.ofMillis(800).toNanos());
    ticker.advance(Duration.ofMillis(1000));
    // Permits of cycles 0, 1 and 2 are taken; the next cycle starts at 1200 ms.
    assertThat(throttle.reserveNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void aGreedyCallerGetsExactlyTheRateOverTenSeconds() {
    FakeTicker ticker = new FakeTicker();
    long start = ticker.nanoTime();
    long end = start + Duration.ofSeconds(10).toNanos();
    RateThrottle throttle = RateThrottle.perSecond("t", 50, ticker);
    int granted = 0;
    while (true) {
      long wait = throttle.reserveNanos();
      if (ticker.nanoTime() + wait >= end) {
        break;
      }
      // The caller waits as told, then uses its permit.
      ticker.advance(Duration.ofNanos(wait));
      granted++;
    }
    assertThat(granted).isEqualTo(500);
  }

  @Test
  void fractionalRatesAndUnlimited() {
    FakeTicker ticker = new FakeTicker();
    RateThrottle slow = RateThrottle.perSecond("t", 0.5, ticker);
    assertThat(slow.reserveNanos()).isZero();
    assertThat(slow.reserveNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(RateThrottle.unlimited().reserveNanos()).isZero();
    assertThat(RateThrottle.unlimited().limited()).isFalse();
  }
}
