package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.internal.Quote;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The cheap check that catches a bucketing which cannot produce the table's bucket values, a
 * selection that would otherwise read only empty partitions and report "0 selected": an {@code int}
 * bucket column holding {@code yyyyMMdd} numbers ({@code 20261204}) read with {@code daily()} left
 * at its default encoding (days since the epoch, {@code 20426}) is the classic.
 *
 * <p>It reads {@value #SAMPLE} partition keys ({@code SELECT DISTINCT type, bucket FROM t LIMIT
 * 50}: one page of partition keys, no row data) and asks, for each sampled bucket value, whether
 * the bucketing gives that value to some instant from {@link #EARLIEST} to {@link #LATEST}. The
 * question is answered by bisection. An instant it finds is a witness, so a sampled value found
 * passes the check at once. Finding none proves something only if the bucketing's values grow with
 * time: that is checked then, on {@value #PROBES} instants, and when they do not (a formatter like
 * {@code ddMMyyyy}, a function), or the bucketing cannot encode that range, the check is skipped.
 * It fails only when the table holds partitions and none of the sampled values can be produced.
 * Stateless.
 */
public final class BucketSampleCheck {

  /** Partition keys sampled: {@value}. */
  public static final int SAMPLE = 50;
  /** The earliest creation time considered. */
  public static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
  /** The latest creation time considered. */
  public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
  private static final int PROBES = 4_000;

  private BucketSampleCheck() {}

  /**
   * Checks a sample of the table's bucket values against the bucketing.
   *
   * @param example an instant to show the bucketing's encoding with (the window's start)
   * @throws IllegalArgumentException naming {@code bucketing}, a sampled value and the likely fix
   *     when the table holds partitions and none of the sampled bucket values can be produced
   * @throws dev.reprocess.ReprocessException if the sample cannot be read
   */
  public static void check(CqlSession session, TableName table, CqlIdentifier typeColumn, CqlIdentifier bucketColumn,
      BucketType type, Bucketing bucketing, Instant example) {
    check(session, table, List.of(typeColumn, bucketColumn), bucketColumn, type, bucketing, example);
  }

  /**
   * The same for a table of any partition key: {@code SELECT DISTINCT} needs every partition-key column.
   *
   * @param partitionKey every partition-key column, in order; {@code bucketColumn} is one of them
   */
  public static void check(CqlSession session, TableName table, List<CqlIdentifier> partitionKey,
      CqlIdentifier bucketColumn, BucketType type, Bucketing bucketing, Instant example) {
    List<Object> sample = sample(session, table, partitionKey, bucketColumn);
    if (sample.isEmpty() || anyProducible(t -> bucketing.valueFor(t, type), sample)) {
      return;
    }
    // None found: a refusal needs the bisection to be trustworthy, which the costly check (thousands
    // of values computed) says; the usual case, a sampled value found above, never pays for it.
    Function<Instant, Object> valueOf = monotonicValues(bucketing, type);
    if (valueOf == null) {
      return;
    }
    if (sample.stream().anyMatch(v -> producible(valueOf, v))) {
      return;
    }
    Object seen = sample.get(0);
    throw new IllegalArgumentException("bucketing is " + bucketing + ": none of the " + sample.size()
        + " bucket values sampled from " + table.cql() + " (column " + bucketColumn.asCql(true) + ", " + type.cql()
        + ") is one it produces for a time from " + EARLIEST.atZone(ZoneOffset.UTC).getYear() + " to "
        + LATEST.atZone(ZoneOffset.UTC).getYear() + ", e.g. the table holds '" + Quote.abbreviate(String.valueOf(seen)) + "' while "
        + bucketing + " gives " + shown(valueOf, example) + ", so the job would select"
        + " nothing. " + fix(seen, type, bucketing) + " Set checkBucketValues(false) to skip this check.");
  }

  /**
   * Whether the bisection finds an instant giving one of the sampled values: an instant found is a
   * witness whatever the bucketing's shape; false also when the bucketing fails on the range.
   */
  private static boolean anyProducible(Function<Instant, Object> valueOf, List<Object> sample) {
    try {
      return sample.stream().anyMatch(v -> producible(valueOf, v));
    } catch (RuntimeException e) {
      return false; // not comparable, or the bucketing cannot encode the range: decided below
    }
  }

  /** The bucketing as a function of time, or null when its values do not grow with time over the range. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Function<Instant, Object> monotonicValues(Bucketing bucketing, BucketType type) {
    Function<Instant, Object> valueOf = t -> bucketing.valueFor(t, type);
    long span = LATEST.toEpochMilli() - EARLIEST.toEpochMilli();
    try {
      Comparable previous = null;
      for (int i = 0; i <= PROBES; i++) {
        Comparable v = (Comparable) valueOf.apply(Instant.ofEpochMilli(EARLIEST.toEpochMilli() + span / PROBES * i));
        if (previous != null && previous.compareTo(v) > 0) {
          return null;
        }
        previous = v;
      }
      return valueOf;
    } catch (RuntimeException e) {
      return null; // the bucketing cannot encode the range (an int overflow, a function that throws)
    }
  }

  /** Whether some instant of the range has {@code value} as its bucket: bisection on time. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean producible(Function<Instant, Object> valueOf, Object value) {
    long lo = EARLIEST.toEpochMilli();
    long hi = LATEST.toEpochMilli();
    Comparable target = (Comparable) value;
    if (target.compareTo(valueOf.apply(Instant.ofEpochMilli(lo))) < 0
        || target.compareTo(valueOf.apply(Instant.ofEpochMilli(hi))) > 0) {
      return false;
    }
    while (lo < hi) { // the first instant whose value is >= target
      long mid = lo + (hi - lo) / 2;
      if (((Comparable) valueOf.apply(Instant.ofEpochMilli(mid))).compareTo(target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return valueOf.apply(Instant.ofEpochMilli(lo)).equals(value);
  }

  private static List<Object> sample(CqlSession session, TableName table, List<CqlIdentifier> partitionKey,
      CqlIdentifier bucketColumn) {
    StringBuilder columns = new StringBuilder();
    for (CqlIdentifier c : partitionKey) {
      columns.append(columns.length() == 0 ? "" : ", ").append(c.asCql(true));
    }
    int bucketIndex = partitionKey.indexOf(bucketColumn);
    String cql = "SELECT DISTINCT " + columns + " FROM " + table.cql() + " LIMIT " + SAMPLE;
    Set<Object> values = new LinkedHashSet<>();
    try {
      for (Row row : session.execute(SimpleStatement.newInstance(cql).setPageSize(SAMPLE))) {
        Object v = row.getObject(bucketIndex);
        if (v != null) {
          values.add(v);
        }
      }
    } catch (RuntimeException e) {
      throw DriverErrors.translate("sampling the bucket values of " + table.cql(), e);
    }
    return new ArrayList<>(values);
  }

  private static String shown(Function<Instant, Object> valueOf, Instant example) {
    try {
      return "'" + Quote.abbreviate(String.valueOf(valueOf.apply(example))) + "' for " + example;
    } catch (RuntimeException e) {
      return "other values";
    }
  }

  /** The likely fix, from what the sampled value looks like. */
  static String fix(Object seen, BucketType type, Bucketing bucketing) {
    String digits = String.valueOf(seen);
    if ((type == BucketType.INT || type == BucketType.BIGINT) && digits.matches("\\d+")) {
      for (String[] shape : new String[][] {{"yyyyMMddHH", "hourly"}, {"yyyyMMdd", "daily"}, {"yyyyMM", "monthly"}}) {
        if (digits.length() == shape[0].length() && parses(digits, shape[0])) {
          return "The values look like " + shape[0] + " numbers: use Bucketing." + shape[1]
              + "().withFormatter(DateTimeFormatter.ofPattern(\"" + shape[0] + "\")).";
        }
      }
    }
    return "Check that bucketing (unit and formatter) and bucketType match how the table's writers compute the bucket"
        + " (see Bucketing's class comment for the encodings by column type).";
  }

  /** Whether {@code digits} spell a date (and hour) of the considered range in the {@code pattern}'s shape. */
  private static boolean parses(String digits, String pattern) {
    try {
      LocalDate date = LocalDate.parse(pattern.equals("yyyyMM") ? digits + "01" : digits.substring(0, 8),
          DateTimeFormatter.BASIC_ISO_DATE);
      boolean hourOk = !pattern.equals("yyyyMMddHH") || Integer.parseInt(digits.substring(8)) < 24;
      return hourOk && !date.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(EARLIEST)
          && date.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(LATEST);
    } catch (DateTimeParseException | NumberFormatException e) {
      return false;
    }
  }
}
