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
    assertThat(waitOf(throttle, ticker)).isZero();
    assertThat(waitOf(throttle, ticker)).isEqualTo(Duration.ofMillis(400).toNanos());
    assertThat(waitOf(throttle, ticker)).isEqualTo(Duration.ofMillis(800).toNanos());
    ticker.advance(Duration.ofMillis(1000));
    // Permits of cycles 0, 1 and 2 are taken; the next cycle starts at 1200 ms.
    assertThat(waitOf(throttle, ticker)).isEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void aGreedyCallerGetsExactlyTheRateOverTenSeconds() {
    FakeTicker ticker = new FakeTicker();
    long start = ticker.nanoTime();
    long end = start + Duration.ofSeconds(10).toNanos();
    RateThrottle throttle = RateThrottle.perSecond("t", 50, ticker);
    int granted = 0;
    while (true) {
      long wait = waitOf(throttle, ticker);
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
    assertThat(waitOf(slow, ticker)).isZero();
    assertThat(waitOf(slow, ticker)).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(waitOf(RateThrottle.unlimited("t", ticker), ticker)).isZero();
    assertThat(RateThrottle.unlimited("t", ticker).limited()).isFalse();
  }

  @Test
  void theDeadlineIsAbsoluteSoAClockMovingAfterTheReservationDoesNotDelayIt() {
    FakeTicker ticker = new FakeTicker();
    RateThrottle throttle = RateThrottle.perSecond("t", 10, ticker);
    long t0 = ticker.nanoTime();
    assertThat(throttle.reserveDeadlineNanos()).isEqualTo(Long.MIN_VALUE);
    long second = throttle.reserveDeadlineNanos();
    // The caller is descheduled while the clock moves on: the permit still starts at +100 ms.
    ticker.advance(Duration.ofMillis(100));
    assertThat(second).isEqualTo(t0 + Duration.ofMillis(100).toNanos());
    assertThat(second - ticker.nanoTime()).isZero();
  }

  /** How long the caller must wait from the ticker's current reading. */
  private static long waitOf(RateThrottle throttle, FakeTicker ticker) {
    long deadline = throttle.reserveDeadlineNanos();
    return deadline == Long.MIN_VALUE ? 0 : deadline - ticker.nanoTime();
  }
}
