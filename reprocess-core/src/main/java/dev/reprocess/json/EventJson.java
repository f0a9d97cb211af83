package dev.reprocess.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.reprocess.DeadLetter;
import dev.reprocess.ReprocessEvent;
import java.io.IOException;
import java.util.Objects;

/**
 * The JSON form of {@link ReprocessEvent} and {@link DeadLetter}, shared by every transport (the
 * Kafka sink, worker and dead-letter topic, the file dead-letter sink), so that what one module
 * writes another reads.
 *
 * <p>Format (UTF-8, one object, fields in this order, instants as ISO-8601 strings in UTC, {@code
 * null} fields written as {@code null}):
 *
 * <pre>{@code
 * {"eventId":"7f0c…","jobName":"backfill-sizes","assetId":"5b6962dd-…","assetType":"image/png",
 *  "shardId":"image/png#2024-06-01","attempt":1,"createdAt":"2026-11-30T04:32:55Z",
 *  "attributes":{"size":"1024"}}
 * }</pre>
 *
 * A dead letter is {@code {"event":{…},"errorClass":…,"errorMessage":…,"stackTrace":…,
 * "attempts":3,"failedAt":"…"}}. Unknown fields are ignored when reading, so a newer writer can add
 * fields. The format is pinned by a golden test; changing it breaks events already in Kafka.
 *
 * <p>Stateless and thread-safe; the underlying Jackson {@link ObjectMapper} is configured once
 * (JavaTimeModule, ISO instants) and never exposed for changes ({@link #mapper()} returns a copy).
 */
public final class EventJson {

  @JsonPropertyOrder({"eventId", "jobName", "assetId", "assetType", "shardId", "attempt",
      "createdAt", "attributes"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private abstract static class EventMixin {}

  @JsonPropertyOrder({"event", "errorClass", "errorMessage", "stackTrace", "attempts", "failedAt"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private abstract static class DeadLetterMixin {}

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addMixIn(ReprocessEvent.class, EventMixin.class)
      .addMixIn(DeadLetter.class, DeadLetterMixin.class)
      .build();

  private EventJson() {}

  /** A copy of the configured mapper, for callers that need Jackson directly; changing it has no effect here. */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }

  /** The event as UTF-8 JSON. */
  public static byte[] toBytes(ReprocessEvent event) {
    return write(Objects.requireNonNull(event, "event"));
  }

  /** The event as a JSON string. */
  public static String toJson(ReprocessEvent event) {
    return writeString(Objects.requireNonNull(event, "event"));
  }

  /**
   * Reads an event written by {@link #toBytes(ReprocessEvent)}.
   *
   * @throws IllegalArgumentException if the bytes are not such JSON, or a field breaks a rule of
   *     {@link ReprocessEvent} (blank id, attempt below 1, missing createdAt)
   */
  public static ReprocessEvent fromBytes(byte[] json) {
    Objects.requireNonNull(json, "json");
    return read(json, ReprocessEvent.class, "event");
  }

  /** Reads an event from a JSON string; same rules as {@link #fromBytes(byte[])}. */
  public static ReprocessEvent fromJson(String json) {
    Objects.requireNonNull(json, "json");
    return read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), ReprocessEvent.class, "event");
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
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new IllegalArgumentException(what + " JSON is 'null': it must be a JSON object");
      }
      return value;
    } catch (IOException e) {
      Throwable cause = e.getCause();
      String reason = cause instanceof IllegalArgumentException ? cause.getMessage()
          : e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException(what + " JSON is malformed (" + preview(json) + "): " + reason, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException(what + " JSON is malformed (" + preview(json) + "): " + e, e);
    }
  }

  private static String preview(byte[] json) {
    String s = new String(json, 0, Math.min(json.length, 120), java.nio.charset.StandardCharsets.UTF_8);
    return json.length > 120 ? s + "…" : s;
  }
}
