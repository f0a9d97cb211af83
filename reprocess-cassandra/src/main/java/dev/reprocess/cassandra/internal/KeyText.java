package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.internal.Quote;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Key values in text form, typed by their column: how an id list line, an event's id and its
 * attributes become the values bound to a primary-key query. The text form of each type is the
 * one its Java value's {@code toString()} gives, so what a selector hands out (ids, attributes)
 * reads back unchanged: {@code uuid}/{@code timeuuid} as {@code 8-4-4-4-12} hex (a timeuuid must
 * be version 1), {@code text} as is, {@code ascii} as is (7-bit only), {@code bigint}, {@code int},
 * {@code smallint}, {@code tinyint}, {@code varint} as decimal integers, {@code decimal}, {@code
 * double}, {@code float} as Java numbers, {@code boolean} as {@code true}/{@code false}, {@code
 * date} as {@code 2026-12-01}, {@code timestamp} as an ISO-8601 instant {@code
 * 2026-12-01T10:00:00Z}. Other types are not key types here. Stateless and thread-safe.
 */
public final class KeyText {
  /** Characters of a bad value quoted in an error. */
  private static final int QUOTED_CHARS = 100;

  private static final Map<DataType, Function<String, Object>> PARSERS = Map.ofEntries(
      Map.entry(DataTypes.TIMEUUID, KeyText::timeuuid),
      Map.entry(DataTypes.UUID, KeyText::uuid),
      Map.entry(DataTypes.TEXT, text -> text),
      Map.entry(DataTypes.ASCII, KeyText::ascii),
      Map.entry(DataTypes.BIGINT, Long::valueOf),
      Map.entry(DataTypes.INT, Integer::valueOf),
      Map.entry(DataTypes.SMALLINT, Short::valueOf),
      Map.entry(DataTypes.TINYINT, Byte::valueOf),
      Map.entry(DataTypes.VARINT, BigInteger::new),
      Map.entry(DataTypes.DECIMAL, BigDecimal::new),
      Map.entry(DataTypes.DOUBLE, Double::valueOf),
      Map.entry(DataTypes.FLOAT, Float::valueOf),
      Map.entry(DataTypes.BOOLEAN, KeyText::bool),
      Map.entry(DataTypes.DATE, LocalDate::parse),
      Map.entry(DataTypes.TIMESTAMP, Instant::parse));

  private KeyText() {}

  /** True if values of this type can be read from text. */
  public static boolean supports(DataType type) {
    return PARSERS.containsKey(type);
  }

  /** The types {@link #supports} accepts, for messages. */
  public static String supportedTypes() {
    return "timeuuid, uuid, text, ascii, bigint, int, smallint, tinyint, varint, decimal, double, float, boolean,"
        + " date or timestamp";
  }

  /**
   * The value of {@code text} for a column of {@code type}.
   *
   * @param what where the value comes from, the start of the message, e.g. {@code line 12 of 'ids.csv'}
   * @throws IllegalArgumentException {@code <what>: column day is date, the value 'x' is not one (...)}
   */
  public static Object parse(String what, CqlIdentifier column, DataType type, String text) {
    Function<String, Object> parser = PARSERS.get(type);
    if (parser == null) {
      throw new IllegalArgumentException(what + ": column " + column.asCql(true) + " is " + type.asCql(false, true)
          + ", a key column must be " + supportedTypes());
    }
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + ": column " + column.asCql(true) + " is " + type.asCql(false, true)
          + ", the value '" + Quote.abbreviate(text, QUOTED_CHARS) + "' is not one" + reason(type, e), e);
    }
  }

  /** The canonical text of a value read by {@link #parse}, as a selector hands it out. */
  public static String format(Object value) {
    return value.toString();
  }

  /** Parses {@code text} if the type is supported; empty if it is not or the text is not one. */
  public static Optional<Object> tryParse(DataType type, String text) {
    Function<String, Object> parser = PARSERS.get(type);
    try {
      return parser == null ? Optional.empty() : Optional.of(parser.apply(text));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String reason(DataType type, RuntimeException e) {
    if (type.equals(DataTypes.DATE)) {
      return " (a date is yyyy-mm-dd)";
    }
    if (type.equals(DataTypes.TIMESTAMP)) {
      return " (a timestamp is an ISO-8601 instant, e.g. 2026-12-01T10:00:00Z)";
    }
    if (type.equals(DataTypes.TIMEUUID) && e.getMessage() != null && e.getMessage().startsWith("version")) {
      return " (" + e.getMessage() + ")";
    }
    if (type.equals(DataTypes.ASCII) && e.getMessage() != null && e.getMessage().startsWith("character")) {
      return " (" + e.getMessage() + ")";
    }
    return "";
  }

  private static UUID uuid(String text) {
    if (text.length() != 36) {
      throw new IllegalArgumentException("a uuid has 36 characters");
    }
    return UUID.fromString(text);
  }

  private static Object timeuuid(String text) {
    UUID id = uuid(text);
    if (id.version() != 1) {
      throw new IllegalArgumentException("version " + id.version() + " uuid, a timeuuid is version 1");
    }
    return id;
  }

  private static Object ascii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 127) {
        throw new IllegalArgumentException("character " + (i + 1) + " is not ASCII");
      }
    }
    return text;
  }

  private static Object bool(String text) {
    if (text.equals("true") || text.equals("false")) {
      return Boolean.valueOf(text);
    }
    throw new IllegalArgumentException("not true or false");
  }
}
