package dev.reprocess.cassandra;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * How creation times map to time buckets: the bucket of an asset is its creation time truncated
 * to the bucketing unit, in UTC, then encoded in the bucket column's type. Teams encode buckets
 * differently, so the encoding can be changed with a formatter, or replaced by a function.
 *
 * <p>Bucket values by column type, for the built-in units ({@link #hourly()}, {@link #daily()},
 * {@link #weekly()} (weeks start on Monday), {@link #monthly()}, {@link #every(Duration)}):
 *
 * <ul>
 *   <li>{@code timestamp}: the bucket's start;
 *   <li>{@code date}: the UTC date of the bucket's start (day, week and month buckets only);
 *   <li>{@code text}: the bucket's start formatted by the formatter; by default {@code
 *       yyyy-MM-dd'T'HH} (hourly), {@code yyyy-MM-dd} (daily; weekly, the Monday),
 *       {@code yyyy-MM} (monthly), ISO-8601 instant ({@link #every});
 *   <li>{@code int}, {@code bigint}: by default the number of whole units since 1970-01-01T00:00Z
 *       (epoch hours, epoch days, weeks since Monday 1969-12-29, months since January 1970, or
 *       sizes since the epoch for {@link #every}); with a formatter, the number its digits spell,
 *       e.g. {@code 20240601} with {@code yyyyMMdd}.
 * </ul>
 *
 * <p>{@link #byFunction} hands the whole mapping to the host: the function returns the bucket
 * value itself.
 *
 * <p>Immutable and thread-safe.
 */
public final class Bucketing {
  private enum Kind {
    HOUR("hourly"),
    DAY("daily"),
    WEEK("weekly"),
    MONTH("monthly"),
    FIXED("every"),
    FUNCTION("by function");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  private static final Bucketing HOURLY = new Bucketing(Kind.HOUR, Duration.ofHours(1), null, null);
  private static final Bucketing DAILY = new Bucketing(Kind.DAY, Duration.ofDays(1), null, null);
  private static final Bucketing WEEKLY = new Bucketing(Kind.WEEK, Duration.ofDays(7), null, null);
  private static final Bucketing MONTHLY = new Bucketing(Kind.MONTH, null, null, null);

  private final Kind kind;
  private final Duration size; // the bucket size (HOUR, DAY, WEEK, FIXED) or the step (FUNCTION)
  private final Function<Instant, ?> function;
  private final DateTimeFormatter formatter;

  private Bucketing(Kind kind, Duration size, Function<Instant, ?> function, DateTimeFormatter formatter) {
    this.kind = kind;
    this.size = size;
    this.function = function;
    this.formatter = formatter;
  }

  /** One bucket per hour. */
  public static Bucketing hourly() {
    return HOURLY;
  }

  /** One bucket per UTC day. */
  public static Bucketing daily() {
    return DAILY;
  }

  /** One bucket per week, from Monday 00:00 UTC. */
  public static Bucketing weekly() {
    return WEEKLY;
  }

  /** One bucket per calendar month, in UTC. */
  public static Bucketing monthly() {
    return MONTHLY;
  }

  /**
   * Buckets of a fixed size, aligned on the epoch: a bucket starts at a multiple of {@code size}
   * since 1970-01-01T00:00Z.
   *
   * @param size at least one millisecond, a whole number of milliseconds
   * @throws IllegalArgumentException if {@code size} is not
   */
  public static Bucketing every(Duration size) {
    requireMillis("size", size);
    return new Bucketing(Kind.FIXED, size, null, null);
  }

  /**
   * Buckets computed by the host: {@code bucketOf} maps a creation time to the bucket value, of
   * the bucket column's Java type ({@link BucketType#javaType()}; for {@code int} and {@code
   * bigint} any integral {@link Number} that fits). The buckets of a window are found by calling
   * it at {@code from}, every {@code step} after, and at the window's last instant, so {@code step}
   * must not be longer than the shortest bucket. The function must be pure and thread-safe.
   *
   * @param step at least one millisecond, a whole number of milliseconds
   * @throws IllegalArgumentException if {@code step} is not, or {@code bucketOf} is null
   */
  public static Bucketing byFunction(Duration step, Function<Instant, ?> bucketOf) {
    requireMillis("step", step);
    if (bucketOf == null) {
      throw new IllegalArgumentException("bucketOf is null: it must be a function from Instant to the bucket value");
    }
    return new Bucketing(Kind.FUNCTION, step, bucketOf, null);
  }

  /**
   * The same bucketing, with bucket values of {@code text}, {@code int} or {@code bigint} columns
   * made by {@code formatter} from the bucket's start (in UTC unless the formatter has a zone).
   *
   * @throws IllegalArgumentException if {@code formatter} is null, or this bucketing is {@link
   *     #byFunction}
   */
  public Bucketing withFormatter(DateTimeFormatter formatter) {
    if (formatter == null) {
      throw new IllegalArgumentException("formatter is null: it must be a DateTimeFormatter");
    }
    if (kind == Kind.FUNCTION) {
      throw new IllegalArgumentException("formatter is set on a bucketing by function: the function gives the value itself");
    }
    return new Bucketing(kind, size, null, formatter.getZone() == null ? formatter.withZone(ZoneOffset.UTC) : formatter);
  }

  /**
   * The start of the bucket holding {@code instant}.
   *
   * @throws IllegalStateException for a bucketing {@link #byFunction}, whose buckets the library does not know
   */
  public Instant bucketStart(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    switch (kind) {
      case HOUR:
        return instant.truncatedTo(ChronoUnit.HOURS);
      case DAY:
        return instant.truncatedTo(ChronoUnit.DAYS);
      case WEEK:
        return utcDate(instant).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC).toInstant();
      case MONTH:
        return utcDate(instant).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      case FIXED:
        long sizeMillis = size.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), sizeMillis) * sizeMillis);
      default:
        throw new IllegalStateException("a bucketing by function has no bucket start: the host's function decides");
    }
  }

  /**
   * The bucket value of an asset created at {@code createdAt}, for a bucket column of type {@code
   * type}: what a host writes in the bucket column, and what the time-bucket selector reads.
   *
   * @return a value of {@code type.javaType()}
   * @throws IllegalArgumentException if this bucketing cannot encode buckets in {@code type} (see
   *     the class comment), or the value does not fit (an {@code int} overflow)
   */
  public Object valueFor(Instant createdAt, BucketType type) {
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(type, "type");
    checkCompatible(type);
    if (kind == Kind.FUNCTION) {
      return coerce(function.apply(createdAt), type, createdAt);
    }
    Instant start = bucketStart(createdAt);
    switch (type) {
      case TIMESTAMP:
        return start;
      case DATE:
        return utcDate(start);
      case TEXT:
        return formatter().format(start);
      case INT:
      case BIGINT:
        long n = formatter == null ? unitsSinceEpoch(start) : digits(formatter.format(start), start);
        if (type == BucketType.BIGINT) {
          return n;
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "bucket of " + createdAt + " is " + n + ": it does not fit in an int bucket column; use bigint");
        }
        return (int) n;
      default:
        throw new AssertionError(type);
    }
  }

  /**
   * Checks that this bucketing can encode buckets in {@code type}.
   *
   * @throws IllegalArgumentException if it cannot: hourly or sub-day buckets in a {@code date}
   *     column, or a formatter with a {@code date} or {@code timestamp} column
   */
  public void checkCompatible(BucketType type) {
    if (type == BucketType.DATE && !daySized()) {
      throw new IllegalArgumentException(
          "bucketing is " + this + " and the bucket column is date: a date bucket needs day, week or month"
              + " buckets (or a size that is a whole number of days)");
    }
    if (formatter != null && (type == BucketType.DATE || type == BucketType.TIMESTAMP)) {
      throw new IllegalArgumentException(
          "bucketing has a formatter and the bucket column is " + type.cql()
              + ": a formatter applies only to text, int and bigint bucket columns");
    }
  }

  /**
   * The distinct bucket values of the window [from, to), oldest first.
   *
   * @param maxBuckets the most buckets to compute before giving up
   * @throws IllegalArgumentException if there are more than {@code maxBuckets}
   */
  List<Object> valuesIn(Instant from, Instant to, BucketType type, int maxBuckets) {
    checkCompatible(type);
    Set<Object> values = new LinkedHashSet<>();
    if (kind == Kind.FUNCTION) {
      for (Instant t = from; t.isBefore(to); t = t.plus(size)) {
        addBucket(values, valueFor(t, type), maxBuckets);
      }
      addBucket(values, valueFor(to.minusNanos(1), type), maxBuckets);
    } else {
      for (Instant start = bucketStart(from); start.isBefore(to); start = next(start)) {
        addBucket(values, valueFor(start, type), maxBuckets);
      }
    }
    return new ArrayList<>(values);
  }

  private void addBucket(Set<Object> values, Object value, int maxBuckets) {
    if (values.add(value) && values.size() > maxBuckets) {
      throw new IllegalArgumentException(
          "window has more than " + maxBuckets + " " + this + " buckets: narrow the window or use larger buckets");
    }
  }

  private Instant next(Instant start) {
    if (kind == Kind.MONTH) {
      return utcDate(start).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return start.plus(size);
  }

  private boolean daySized() {
    switch (kind) {
      case DAY:
      case WEEK:
      case MONTH:
      case FUNCTION:
        return true;
      case FIXED:
        return size.toMillis() % Duration.ofDays(1).toMillis() == 0;
      default:
        return false;
    }
  }

  private long unitsSinceEpoch(Instant start) {
    switch (kind) {
      case MONTH:
        LocalDate d = utcDate(start);
        return (d.getYear() - 1970L) * 12 + d.getMonthValue() - 1;
      case WEEK:
        return Math.floorDiv(utcDate(start).toEpochDay() + 3, 7); // week 0 starts on Monday 1969-12-29
      default:
        return Math.floorDiv(start.toEpochMilli(), size.toMillis());
    }
  }

  private DateTimeFormatter formatter() {
    if (formatter != null) {
      return formatter;
    }
    switch (kind) {
      case HOUR:
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);
      case DAY:
      case WEEK:
        return DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
      case MONTH:
        return DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC);
      default:
        return DateTimeFormatter.ISO_INSTANT;
    }
  }

  private static long digits(String formatted, Instant start) {
    try {
      return Long.parseLong(formatted);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bucketing formatter gives '" + formatted + "' for " + start
              + ": an int or bigint bucket needs a formatter that gives only digits, e.g. yyyyMMdd",
          e);
    }
  }

  private static Object coerce(Object value, BucketType type, Instant createdAt) {
    Object v = value;
    if (type == BucketType.TEXT && value instanceof CharSequence) {
      v = value.toString();
    } else if ((type == BucketType.INT || type == BucketType.BIGINT) && isIntegral(value)) {
      long n = ((Number) value).longValue();
      if (type == BucketType.BIGINT) {
        v = n;
      } else if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
        v = (int) n;
      }
    }
    if (!type.javaType().isInstance(v)) {
      throw new IllegalArgumentException(
          "bucketing function returned '" + value + "' (" + (value == null ? "null" : value.getClass().getName())
              + ") for " + createdAt + ": the bucket column is " + type.cql() + ", so it must return a "
              + type.javaType().getSimpleName());
    }
    return v;
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte;
  }

  private static LocalDate utcDate(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  private static void requireMillis(String option, Duration d) {
    if (d == null || d.compareTo(Duration.ofMillis(1)) < 0 || d.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          option + " is " + d + ": it must be a whole number of milliseconds, at least 1 ms");
    }
  }

  /** E.g. {@code daily}, {@code every PT6H}, {@code by function (step PT1H)}. */
  @Override
  public String toString() {
    switch (kind) {
      case FIXED:
        return "every " + size;
      case FUNCTION:
        return "by function (step " + size + ")";
      default:
        return kind.label;
    }
  }
}
