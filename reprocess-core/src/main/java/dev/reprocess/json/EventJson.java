package dev.reprocess.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.reprocess.DeadLetter;
import dev.reprocess.ReprocessEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The JSON form of {@link ReprocessEvent} and {@link DeadLetter}, shared by every transport (the
 * Kafka sink, worker and dead-letter topic, the file dead-letter sink), so that what one module
 * writes another reads.
 *
 * <p>Event format 2, written since 0.2 (UTF-8, one object, fields in this order, {@code null}
 * fields written as {@code null}; {@code createdAt} as epoch seconds with the nanoseconds as a
 * decimal fraction, trailing zeros trimmed):
 *
 * <pre>{@code
 * {"v":2,"eventId":"7f0c…","jobName":"backfill-sizes","assetId":"5b6962dd-…","assetType":"image/png",
 *  "shardId":"image/png#2024-06-01","attempt":1,"createdAt":1764477175.123,"attributes":{"size":"1024"}}
 * }</pre>
 *
 * <p>Format 1, written before, is the same without {@code "v"} and with {@code createdAt} as an
 * ISO-8601 string in UTC ({@code "2026-11-30T04:32:55.123Z"}). Readers read both, so events already
 * in a topic stay readable; and a reader of format 1 reads format 2 correctly (Jackson's {@code
 * InstantDeserializer} reads a decimal as epoch seconds, and unknown fields are ignored), so jobs
 * and workers can be upgraded in any order. Format 2 is written and read with Jackson's streaming
 * API, without data binding: parsing the ISO string was most of the cost of reading an event.
 *
 * <p>A dead letter is {@code {"event":{…},"errorClass":…,"errorMessage":…,"stackTrace":…,
 * "attempts":3,"failedAt":"…"}}, its event in the event format and {@code failedAt} an ISO-8601
 * string. Unknown fields are ignored when reading, so a newer writer can add fields. Both formats
 * are pinned by golden tests; changing them breaks events already in Kafka.
 *
 * <p>Stateless and thread-safe; the underlying Jackson {@link ObjectMapper} is configured once
 * (JavaTimeModule, ISO instants, the event format above) and never exposed for changes ({@link
 * #mapper()} returns a copy).
 */
public final class EventJson {

  @JsonPropertyOrder({"event", "errorClass", "errorMessage", "stackTrace", "attempts", "failedAt"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private abstract static class DeadLetterMixin {}

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new SimpleModule("reprocess-event")
          .addSerializer(ReprocessEvent.class, new StdSerializer<>(ReprocessEvent.class) {
            @Override
            public void serialize(ReprocessEvent e, JsonGenerator g, SerializerProvider p) throws IOException {
              EventWire.write(e, g);
            }
          })
          .addDeserializer(ReprocessEvent.class, new StdDeserializer<>(ReprocessEvent.class) {
            @Override
            public ReprocessEvent deserialize(JsonParser p, DeserializationContext c) throws IOException {
              return EventWire.read(p);
            }
          }))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addMixIn(DeadLetter.class, DeadLetterMixin.class)
      .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private EventJson() {}

  /** A copy of the configured mapper, for callers that need Jackson directly; changing it has no effect here. */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }

  /** The event as UTF-8 JSON, format 2. */
  public static byte[] toBytes(ReprocessEvent event) {
    Objects.requireNonNull(event, "event");
    try (ByteArrayBuilder out = new ByteArrayBuilder(256); JsonGenerator g = FACTORY.createGenerator(out)) {
      EventWire.write(event, g);
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + event + " as JSON: " + e.getMessage(), e);
    }
  }

  /** The event as a JSON string, format 2. */
  public static String toJson(ReprocessEvent event) {
    return new String(toBytes(event), StandardCharsets.UTF_8);
  }

  /**
   * Reads an event written by {@link #toBytes(ReprocessEvent)}.
   *
   * @throws IllegalArgumentException if the bytes are not such JSON, or a field breaks a rule of
   *     {@link ReprocessEvent} (blank id, attempt below 1, missing createdAt)
   */
  public static ReprocessEvent fromBytes(byte[] json) {
    Objects.requireNonNull(json, "json");
    try (JsonParser p = FACTORY.createParser(json)) {
      p.nextToken();
      return EventWire.read(p);
    } catch (IOException | RuntimeException e) {
      throw malformed(json, "event", e);
    }
  }

  /** Reads an event from a JSON string; same rules as {@link #fromBytes(byte[])}. */
  public static ReprocessEvent fromJson(String json) {
    Objects.requireNonNull(json, "json");
    return fromBytes(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The dead letter as UTF-8 JSON. */
  public static byte[] deadLetterToBytes(DeadLetter deadLetter) {
    return write(Objects.requireNonNull(deadLetter, "deadLetter"));
  }

  /** The dead letter as a JSON string (one line). */
  public static String deadLetterToJson(DeadLetter deadLetter) {
    return writeString(Objects.requireNonNull(deadLetter, "deadLetter"));
  }

  /**
   * Reads a dead letter written by {@link #deadLetterToBytes(DeadLetter)}.
   *
   * @throws IllegalArgumentException if the bytes are not such JSON
   */
  public static DeadLetter deadLetterFromBytes(byte[] json) {
    Objects.requireNonNull(json, "json");
    return read(json, DeadLetter.class, "dead letter");
  }

  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T read(byte[] json, Class<T> type, String what) {
    T value;
    try {
      value = MAPPER.readValue(json, type);
    } catch (IOException | RuntimeException e) {
      throw malformed(json, what, e);
    }
    if (value == null) {
      throw new IllegalArgumentException(what + " JSON is 'null': it must be a JSON object");
    }
    return value;
  }

  /** The error for bytes that could not be read: the preview, and the rule broken where one was. */
  private static IllegalArgumentException malformed(byte[] json, String what, Exception e) {
    Throwable cause = e instanceof IllegalArgumentException ? e : e.getCause();
    String reason = cause instanceof IllegalArgumentException ? cause.getMessage()
        : e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.toString();
    return new IllegalArgumentException(what + " JSON is malformed (" + preview(json) + "): " + reason, e);
  }

  private static String preview(byte[] json) {
    String s = new String(json, 0, Math.min(json.length, 120), StandardCharsets.UTF_8);
    return json.length > 120 ? s + "…" : s;
  }
}
