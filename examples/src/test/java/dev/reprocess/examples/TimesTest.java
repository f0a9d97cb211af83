package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {

  @Test
  void datesAreMidnightUtcAndInstantsAreExact() {
    assertThat(Times.parse("2024-06-01")).isEqualTo(Instant.parse("2024-06-01T00:00:00Z"));
    assertThat(Times.parse("2024-06-01T12:30:00Z")).isEqualTo(Instant.parse("2024-06-01T12:30:00Z"));
  }

  @Test
  void badTimesSayWhatIsExpected() {
    assertThatThrownBy(() -> Times.parse("2024-13-01")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'2024-13-01' is not a time").hasMessageContaining("2024-06-01");
    assertThatThrownBy(() -> Times.parse("yesterday")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dayBucketsHaveAStartAndAnExclusiveEnd() {
    assertThat(Times.bucketStart("2024-12-31")).isEqualTo(Instant.parse("2024-12-31T00:00:00Z"));
    assertThat(Times.bucketEnd("2024-12-31")).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(Catalog.bucketOf(Instant.parse("2024-12-31T23:59:59.999Z"))).isEqualTo("2024-12-31");
    assertThat(Catalog.bucketOf(Instant.parse("2025-01-01T00:00:00Z"))).isEqualTo("2025-01-01");
  }

  @Test
  void aBucketThatIsNotADayNamesTheProblem() {
    assertThatThrownBy(() -> Times.bucketStart("2025-04")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket is '2025-04'").hasMessageContaining("--keyspace");
  }
}
