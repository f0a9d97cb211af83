package dev.reprocess.examples;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;

/** Command-line times: an ISO date ({@code 2024-06-01}, midnight UTC) or an ISO instant ({@code 2024-06-01T12:00:00Z}). */
final class Times implements ITypeConverter<Instant> {

  @Override
  public Instant convert(String value) {
    return parse(value);
  }

  static Instant parse(String value) {
    try {
      if (value.length() == 10) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + value + "' is not a time: use a date such as 2024-06-01 (UTC) or an"
          + " instant such as 2024-06-01T12:00:00Z");
    }
  }

  /** The start of a day bucket, {@code 2024-06-01} -> 2024-06-01T00:00Z. */
  static Instant bucketStart(String bucket) {
    return day(bucket).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The end (exclusive) of a day bucket, {@code 2024-06-01} -> 2024-06-02T00:00Z. */
  static Instant bucketEnd(String bucket) {
    return day(bucket).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static LocalDate day(String bucket) {
    try {
      return LocalDate.parse(bucket);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bucket is '" + bucket + "': the catalog's buckets must be days (yyyy-MM-dd);"
          + " this keyspace holds another layout, use another --keyspace");
    }
  }
}
