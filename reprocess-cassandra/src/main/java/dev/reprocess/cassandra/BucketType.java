package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The CQL type of a time-bucket column, and the Java type of its values: {@code text} ({@link
 * String}), {@code date} ({@link LocalDate}), {@code int} ({@link Integer}), {@code bigint}
 * ({@link Long}) or {@code timestamp} ({@link Instant}), as the driver's default codecs map them.
 *
 * <p>A bucket value also has a string form, used in shard ids and shard properties: the text
 * itself, an ISO date ({@code 2024-06-01}), a decimal number, or an ISO instant ({@code
 * 2024-06-01T00:00:00Z}). {@link #format} and {@link #parse} convert between the two.
 */
public enum BucketType {
  /** {@code text} (also {@code varchar} and {@code ascii}); values are {@link String}s. */
  TEXT(DataTypes.TEXT, String.class),
  /** {@code date}; values are {@link LocalDate}s. */
  DATE(DataTypes.DATE, LocalDate.class),
  /** {@code int}; values are {@link Integer}s. */
  INT(DataTypes.INT, Integer.class),
  /** {@code bigint}; values are {@link Long}s. */
  BIGINT(DataTypes.BIGINT, Long.class),
  /** {@code timestamp}; values are {@link Instant}s. */
  TIMESTAMP(DataTypes.TIMESTAMP, Instant.class);

  private final DataType dataType;
  private final Class<?> javaType;

  BucketType(DataType dataType, Class<?> javaType) {
    this.dataType = dataType;
    this.javaType = javaType;
  }

  /** The driver's data type for this CQL type. */
  public DataType dataType() {
    return dataType;
  }

  /** The Java type of the values ({@link String}, {@link LocalDate}, {@link Integer}, {@link Long}, {@link Instant}). */
  public Class<?> javaType() {
    return javaType;
  }

  /** The CQL name, e.g. {@code date}. */
  public String cql() {
    return dataType.asCql(false, true);
  }

  /** The bucket type for a column's CQL type, if it is one of the five. */
  public static Optional<BucketType> of(DataType type) {
    if (type.equals(DataTypes.ASCII)) {
      return Optional.of(TEXT);
    }
    for (BucketType t : values()) {
      if (t.dataType.equals(type)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * The string form of a value of this type.
   *
   * @throws IllegalArgumentException if {@code value} is not of {@link #javaType()}
   */
  public String format(Object value) {
    if (!javaType.isInstance(value)) {
      throw new IllegalArgumentException(
          "bucket value '" + value + "' is a " + (value == null ? "null" : value.getClass().getName())
              + ": the bucket column is " + cql() + ", so it must be of type " + javaType.getSimpleName());
    }
    return value.toString();
  }

  /**
   * The value a string form stands for.
   *
   * @throws IllegalArgumentException if {@code text} is not a valid string form for this type
   */
  public Object parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("bucket is null: it must be a valid " + cql() + " value");
    }
    try {
      switch (this) {
        case TEXT:
          return text;
        case DATE:
          return LocalDate.parse(text);
        case INT:
          return Integer.valueOf(text);
        case BIGINT:
          return Long.valueOf(text);
        case TIMESTAMP:
          return Instant.parse(text);
        default:
          throw new AssertionError(this);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bucket is '" + text + "': it must be a valid " + cql() + " value", e);
    }
  }
}
