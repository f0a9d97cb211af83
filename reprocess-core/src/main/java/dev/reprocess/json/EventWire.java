package dev.reprocess.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reprocess.ReprocessEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event's wire format, written and read with Jackson's streaming API (no data binding, no
 * reflection): format 2 is written, formats 1 and 2 are read. See {@link EventJson} for the
 * format; this class only encodes it. Stateless and thread-safe.
 */
final class EventWire {

  /** The format {@link #write} writes. */
  static final int FORMAT = 2;

  private EventWire() {}

  /** Writes the event as one JSON object of format 2. */
  static void write(ReprocessEvent e, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeNumberField("v", FORMAT);
    g.writeStringField("eventId", e.eventId());
    g.writeStringField("jobName", e.jobName());
    g.writeStringField("assetId", e.assetId());
    g.writeStringField("assetType", e.assetType());
    g.writeStringField("shardId", e.shardId());
    g.writeNumberField("attempt", e.attempt());
    g.writeFieldName("createdAt");
    g.writeNumber(epochSeconds(e.createdAt()));
    g.writeObjectFieldStart("attributes");
    for (Map.Entry<String, String> a : e.attributes().entrySet()) {
      g.writeStringField(a.getKey(), a.getValue());
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * An instant as epoch seconds with its nanoseconds as a fraction, trailing zeros trimmed but at
   * least one digit: {@code 1733290375.5}, {@code -1.25} (what Jackson's {@code InstantDeserializer}
   * reads from a JSON decimal, so readers of format 1 read it too).
   */
  static String epochSeconds(Instant t) {
    long seconds = t.getEpochSecond();
    int nanos = t.getNano();
    if (seconds < 0 && nanos > 0) { // -1.25 s is second -2 plus 0.75 s: write the signed decimal
      seconds += 1;
      nanos = 1_000_000_000 - nanos;
      return (seconds == 0 ? "-0" : Long.toString(seconds)) + fraction(nanos);
    }
    return seconds + fraction(nanos);
  }

  private static String fraction(int nanos) {
    if (nanos == 0) {
      return ".0";
    }
    String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    return "." + digits.substring(0, end);
  }

  /**
   * Reads one event of format 1 ({@code createdAt} an ISO-8601 string) or 2 ({@code createdAt} epoch
   * seconds as a decimal), the parser on its {@code START_OBJECT}; unknown fields are skipped.
   *
   * @throws IllegalArgumentException if a field has the wrong JSON type, or the event breaks a rule
   *     of {@link ReprocessEvent}
   * @throws IOException if the bytes are not JSON
   */
  static ReprocessEvent read(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("it must be a JSON object, not " + p.currentToken());
    }
    String eventId = null;
    String jobName = null;
    String assetId = null;
    String assetType = null;
    String shardId = null;
    Integer attempt = null;
    Instant createdAt = null;
    Map<String, String> attributes = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "eventId" -> eventId = text(p, t, name);
        case "jobName" -> jobName = text(p, t, name);
        case "assetId" -> assetId = text(p, t, name);
        case "assetType" -> assetType = text(p, t, name);
        case "shardId" -> shardId = text(p, t, name);
        case "attempt" -> attempt = integer(p, t, name);
        case "createdAt" -> createdAt = instant(p, t);
        case "attributes" -> attributes = attributes(p, t);
        default -> p.skipChildren(); // "v" and fields of newer writers
      }
    }
    if (attempt == null) {
      throw new IllegalArgumentException("attempt is missing: it must be a number, 1 or more");
    }
    return new ReprocessEvent(eventId, jobName, assetId, assetType, shardId, attempt, createdAt,
        attributes == null ? Map.of() : attributes);
  }

  private static String text(JsonParser p, JsonToken t, String field) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    throw new IllegalArgumentException(field + " is " + t + ": it must be a string");
  }

  private static Integer integer(JsonParser p, JsonToken t, String field) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getIntValue();
    }
    throw new IllegalArgumentException(field + " is " + t + ": it must be a whole number");
  }

  /** A string (format 1, ISO-8601), a decimal or an integer of epoch seconds (format 2), or null. */
  private static Instant instant(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_NULL:
        return null;
      case VALUE_STRING:
        try {
          return Instant.parse(p.getText());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("createdAt is '" + p.getText() + "': it must be an ISO-8601 instant"
              + " or epoch seconds", e);
        }
      case VALUE_NUMBER_INT:
        return Instant.ofEpochSecond(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return fromDecimal(p.getText());
      default:
        throw new IllegalArgumentException("createdAt is " + t + ": it must be an ISO-8601 instant or epoch seconds");
    }
  }

  /** Epoch seconds with a fraction: plain digits fast, anything else (an exponent) through BigDecimal. */
  static Instant fromDecimal(String text) {
    int dot = text.indexOf('.');
    int digits = text.length() - dot - 1;
    if (dot > 0 && digits >= 1 && digits <= 9 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
      boolean negative = text.charAt(0) == '-';
      long seconds = Long.parseLong(text, 0, dot, 10);
      long nanos = Long.parseLong(text, dot + 1, text.length(), 10);
      for (int i = digits; i < 9; i++) {
        nanos *= 10;
      }
      return Instant.ofEpochSecond(seconds, negative ? -nanos : nanos);
    }
    BigDecimal d = new BigDecimal(text);
    long seconds = d.longValue();
    int nanos = d.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).intValue();
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static Map<String, String> attributes(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("attributes is " + t + ": it must be an object of strings");
    }
    Map<String, String> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      map.put(key, text(p, v, "attributes." + key));
    }
    return map;
  }
}
