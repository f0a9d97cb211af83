package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventTimesTest {

  static final long MS = 1_000_000L;

  @Test
  void onTheSystemTickerTheWallClockIsReadOncePerMillisecondOfTheTicker() {
    CountingClock clock = new CountingClock();
    EventTimes times = new EventTimes(clock, Ticker.SYSTEM);

    Instant first = times.at(5 * MS);
    assertThat(times.at(5 * MS + MS - 1)).as("within the millisecond").isSameAs(first);
    assertThat(clock.reads).isEqualTo(1);

    Instant next = times.at(6 * MS);
    assertThat(clock.reads).as("a millisecond later").isEqualTo(2);
    assertThat(next).isAfter(first);

    times.at(5 * MS);
    assertThat(clock.reads).as("a ticker reading older than the last one is not served from it").isEqualTo(3);
  }

  @Test
  void onAnyOtherClockEveryEventReadsTheClock() {
    CountingClock clock = new CountingClock();
    EventTimes times = new EventTimes(clock, Ticker.of(clock));

    Instant first = times.at(0);
    Instant second = times.at(0);

    assertThat(clock.reads).isEqualTo(2);
    assertThat(second).isAfter(first);
  }

  /** A clock that moves 1 s forward at each reading, and counts them. */
  static final class CountingClock extends Clock {
    int reads;

    @Override
    public Instant instant() {
      reads++;
      return Instant.parse("2026-12-05T00:00:00Z").plusSeconds(reads);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
