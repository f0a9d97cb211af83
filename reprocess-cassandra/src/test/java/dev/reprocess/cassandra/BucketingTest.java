package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketingTest {
  private static final Instant T = Instant.parse("2024-06-05T13:45:10.123Z"); // a Wednesday

  @Test
  void dailyBucketsInEveryColumnType() {
    Bucketing daily = Bucketing.daily();
    assertThat(daily.valueFor(T, BucketType.TEXT)).isEqualTo("2024-06-05");
    assertThat(daily.valueFor(T, BucketType.DATE)).isEqualTo(LocalDate.of(2024, 6, 5));
    assertThat(daily.valueFor(T, BucketType.TIMESTAMP)).isEqualTo(Instant.parse("2024-06-05T00:00:00Z"));
    assertThat(daily.valueFor(T, BucketType.INT)).isEqualTo((int) LocalDate.of(2024, 6, 5).toEpochDay());
    assertThat(daily.valueFor(T, BucketType.BIGINT)).isEqualTo(LocalDate.of(2024, 6, 5).toEpochDay());
  }

  @Test
  void hourlyWeeklyAndMonthlyBuckets() {
    assertThat(Bucketing.hourly().valueFor(T, BucketType.TEXT)).isEqualTo("2024-06-05T13");
    assertThat(Bucketing.hourly().valueFor(T, BucketType.BIGINT)).isEqualTo(T.getEpochSecond() / 3600);
    assertThat(Bucketing.weekly().valueFor(T, BucketType.DATE)).isEqualTo(LocalDate.of(2024, 6, 3)); // Monday
    assertThat(Bucketing.weekly().bucketStart(Instant.parse("2024-06-09T23:59:59Z")))
        .isEqualTo(Instant.parse("2024-06-03T00:00:00Z"));
    // Week 0 starts on Monday 1969-12-29.
    int week = (Integer) Bucketing.weekly().valueFor(T, BucketType.INT);
    assertThat(LocalDate.of(1969, 12, 29).plusWeeks(week)).isEqualTo(LocalDate.of(2024, 6, 3));
    assertThat(Bucketing.monthly().valueFor(T, BucketType.TEXT)).isEqualTo("2024-06");
    assertThat(Bucketing.monthly().valueFor(T, BucketType.INT)).isEqualTo((2024 - 1970) * 12 + 5);
  }

  @Test
  void aFormatterMakesTextAndNumbers() {
    Bucketing b = Bucketing.daily().withFormatter(DateTimeFormatter.ofPattern("yyyyMMdd"));
    assertThat(b.valueFor(T, BucketType.INT)).isEqualTo(20240605);
    assertThat(b.valueFor(T, BucketType.TEXT)).isEqualTo("20240605");
    Bucketing dashed = Bucketing.daily().withFormatter(DateTimeFormatter.ofPattern("yyyy-MM-dd"));
    assertThatThrownBy(() -> dashed.valueFor(T, BucketType.BIGINT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gives '2024-06-05'")
        .hasMessageContaining("only digits");
    assertThatThrownBy(() -> dashed.checkCompatible(BucketType.DATE))
        .hasMessageContaining("a formatter applies only to text, int and bigint");
  }

  @Test
  void fixedSizeBucketsAreAlignedOnTheEpoch() {
    Bucketing sixHours = Bucketing.every(Duration.ofHours(6));
    assertThat(sixHours.bucketStart(T)).isEqualTo(Instant.parse("2024-06-05T12:00:00Z"));
    assertThat(sixHours.valueFor(T, BucketType.TEXT)).isEqualTo("2024-06-05T12:00:00Z");
    assertThat(sixHours.valueFor(T, BucketType.BIGINT)).isEqualTo(T.getEpochSecond() / (6 * 3600));
    assertThatThrownBy(() -> Bucketing.every(Duration.ZERO))
        .hasMessage("size is PT0S: it must be a whole number of milliseconds, at least 1 ms");
  }

  @Test
  void dateColumnsNeedDaySizedBuckets() {
    assertThatThrownBy(() -> Bucketing.hourly().valueFor(T, BucketType.DATE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucketing is hourly and the bucket column is date");
    assertThat(Bucketing.every(Duration.ofDays(2)).valueFor(Instant.parse("1970-01-03T05:00:00Z"), BucketType.DATE))
        .isEqualTo(LocalDate.of(1970, 1, 3));
  }

  @Test
  void intOverflowIsRefused() {
    assertThatThrownBy(() -> Bucketing.every(Duration.ofMillis(1)).valueFor(T, BucketType.INT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit in an int bucket column");
  }

  @Test
  void windowValuesCoverEveryBucketTouchedOldestFirst() {
    List<Object> days = Bucketing.daily().valuesIn(
        Instant.parse("2024-06-01T12:00:00Z"), Instant.parse("2024-06-04T00:00:00Z"), BucketType.TEXT, 100);
    assertThat(days).containsExactly("2024-06-01", "2024-06-02", "2024-06-03");
    List<Object> months = Bucketing.monthly().valuesIn(
        Instant.parse("2024-01-31T00:00:00Z"), Instant.parse("2024-03-01T00:00:01Z"), BucketType.TEXT, 100);
    assertThat(months).containsExactly("2024-01", "2024-02", "2024-03");
  }

  @Test
  void tooManyBucketsIsRefused() {
    assertThatThrownBy(() -> Bucketing.hourly().valuesIn(
            Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z"), BucketType.TEXT, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window has more than 10 hourly buckets: narrow the window or use larger buckets");
  }

  @Test
  void aFunctionGivesTheValuesItselfAndIsCheckedAgainstTheColumnType() {
    Bucketing b = Bucketing.byFunction(Duration.ofHours(1),
        t -> "w" + LocalDate.ofInstant(t, java.time.ZoneOffset.UTC).getDayOfMonth() / 10);
    List<Object> values = b.valuesIn(
        Instant.parse("2024-06-08T00:00:00Z"), Instant.parse("2024-06-21T00:00:00Z"), BucketType.TEXT, 100);
    assertThat(values).containsExactly("w0", "w1", "w2");

    Bucketing longs = Bucketing.byFunction(Duration.ofDays(1), t -> (long) t.getEpochSecond() / 86_400);
    assertThat(longs.valueFor(T, BucketType.INT)).isEqualTo((int) (T.getEpochSecond() / 86_400));
    assertThatThrownBy(() -> longs.valueFor(T, BucketType.TEXT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucketing function returned '19879' (java.lang.Long)")
        .hasMessageContaining("the bucket column is text, so it must return a String");
    assertThatThrownBy(() -> Bucketing.byFunction(Duration.ofHours(1), null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.withFormatter(DateTimeFormatter.BASIC_ISO_DATE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stringFormsRoundTrip() {
    for (BucketType type : BucketType.values()) {
      Object value = Bucketing.daily().valueFor(T, type);
      assertThat(type.parse(type.format(value))).isEqualTo(value);
    }
    assertThatThrownBy(() -> BucketType.INT.parse("2024-06-01"))
        .hasMessage("bucket is '2024-06-01': it must be a valid int value");
  }
}
