package dev.reprocess.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetriableException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {

  static final ReprocessEvent EVENT = new ReprocessEvent(
      "7f0c2f4e-6c1a-4c1e-9a57-2a0d7f3b9e11", "backfill-sizes",
      "5b6962dd-3f90-11ef-8000-000000000001", "image/png", "image/png#2024-06-01", 2,
      Instant.parse("2026-11-30T04:32:55.123Z"), Map.of("size", "1024"));

  /** The wire format other modules (Kafka) rely on; changing it breaks events already in topics. */
  static final String GOLDEN = "{\"v\":2,\"eventId\":\"7f0c2f4e-6c1a-4c1e-9a57-2a0d7f3b9e11\","
      + "\"jobName\":\"backfill-sizes\",\"assetId\":\"5b6962dd-3f90-11ef-8000-000000000001\","
      + "\"assetType\":\"image/png\",\"shardId\":\"image/png#2024-06-01\",\"attempt\":2,"
      + "\"createdAt\":1796013175.123,\"attributes\":{\"size\":\"1024\"}}";

  /** Format 1, written before format 2: events of it may still be in topics. */
  static final String GOLDEN_FORMAT_1 = "{\"eventId\":\"7f0c2f4e-6c1a-4c1e-9a57-2a0d7f3b9e11\","
      + "\"jobName\":\"backfill-sizes\",\"assetId\":\"5b6962dd-3f90-11ef-8000-000000000001\","
      + "\"assetType\":\"image/png\",\"shardId\":\"image/png#2024-06-01\",\"attempt\":2,"
      + "\"createdAt\":\"2026-11-30T04:32:55.123Z\",\"attributes\":{\"size\":\"1024\"}}";

  /**
   * The reader of format 1 as released (Jackson data binding, JavaTimeModule, unknown fields
   * ignored): what a worker not yet upgraded reads events with.
   */
  private static final ObjectMapper FORMAT_1_READER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  @Test
  void writesTheGoldenFormat() {
    assertThat(new String(EventJson.toBytes(EVENT), StandardCharsets.UTF_8)).isEqualTo(GOLDEN);
    assertThat(EventJson.toJson(EVENT)).isEqualTo(GOLDEN);
  }

  @Test
  void readsBothFormats() {
    assertThat(EventJson.fromBytes(GOLDEN.getBytes(StandardCharsets.UTF_8))).isEqualTo(EVENT);
    assertThat(EventJson.fromBytes(GOLDEN_FORMAT_1.getBytes(StandardCharsets.UTF_8))).isEqualTo(EVENT);
  }

  @Test
  void aReaderOfFormat1ReadsFormat2TheSameSoJobsAndWorkersUpgradeInAnyOrder() throws Exception {
    for (String at : List.of("2026-11-30T04:32:55.123Z", "2026-11-30T04:32:55.123456789Z", "2026-11-30T04:32:55Z",
        "1969-12-31T23:59:58.75Z", "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00.5Z")) {
      ReprocessEvent e = new ReprocessEvent("id-1", "job", "a-1", null, "s-0", 3, Instant.parse(at), Map.of("k", "v"));
      byte[] format2 = EventJson.toBytes(e);
      assertThat(FORMAT_1_READER.readValue(format2, ReprocessEvent.class)).as(at).isEqualTo(e);
      assertThat(EventJson.fromBytes(format2)).as(at).isEqualTo(e);
      assertThat(EventJson.fromBytes(FORMAT_1_READER.writerFor(ReprocessEvent.class)
          .without(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writeValueAsBytes(e))).as(at).isEqualTo(e);
    }
  }

  @Test
  void readsEpochSecondsInAnyJsonNumberForm() {
    assertThat(EventJson.fromJson(GOLDEN.replace("1796013175.123", "1.796013175123E9")).createdAt())
        .isEqualTo(EVENT.createdAt());
    assertThat(EventJson.fromJson(GOLDEN.replace("1796013175.123", "1796013175")).createdAt())
        .isEqualTo(Instant.parse("2026-11-30T04:32:55Z"));
    assertThat(EventJson.fromJson(GOLDEN.replace("\"v\":2", "\"v\":3,\"w\":[1,{\"x\":2}]"))).isEqualTo(EVENT);
  }

  @Test
  void roundTripsNullTypeEmptyAttributesAndUnicode() {
    ReprocessEvent e = new ReprocessEvent("id-1", "job", "ässet \"quoted\" ✓", null, "s-0", 1,
        Instant.parse("2026-01-01T00:00:00Z"), Map.of());
    byte[] json = EventJson.toBytes(e);
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"assetType\":null", "\"createdAt\":1767225600.0");
    assertThat(EventJson.fromBytes(json)).isEqualTo(e);
  }

  @Test
  void ignoresUnknownFieldsFromNewerWriters() {
    String newer = GOLDEN.replace("\"attempt\":2,", "\"attempt\":2,\"priority\":\"high\",");
    assertThat(EventJson.fromJson(newer)).isEqualTo(EVENT);
  }

  @Test
  void malformedInputIsAnIllegalArgumentException() {
    assertThatThrownBy(() -> EventJson.fromBytes("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event JSON is malformed");
    assertThatThrownBy(() -> EventJson.fromJson("null"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> EventJson.fromJson(GOLDEN.replace("\"attempt\":2", "\"attempt\":0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt is 0");
    assertThatThrownBy(() -> EventJson.fromJson(GOLDEN.replace("\"eventId\":\"7f0c2f4e-6c1a-4c1e-9a57-2a0d7f3b9e11\",", "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventId is 'null'");
    assertThatThrownBy(() -> EventJson.fromJson("[1,2]"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> EventJson.fromJson(GOLDEN.replace("1796013175.123", "true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createdAt is VALUE_TRUE");
    assertThatThrownBy(() -> EventJson.fromJson(GOLDEN.replace("1796013175.123", "\"yesterday\"")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createdAt is 'yesterday'");
  }

  @Test
  void deadLetterRoundTripsWithTruncatedStackTrace() {
    RetriableException failure = new RetriableException("timed out", new RuntimeException("root"));
    DeadLetter d = DeadLetters.of(EVENT, failure, 3, Instant.parse("2026-11-30T05:00:00Z"));
    assertThat(d.errorClass()).isEqualTo("dev.reprocess.RetriableException");
    assertThat(d.errorMessage()).isEqualTo("timed out");
    assertThat(d.stackTrace()).startsWith("dev.reprocess.RetriableException: timed out").contains("Caused by");
    assertThat(d.stackTrace().length()).isLessThanOrEqualTo(DeadLetters.MAX_STACK_TRACE_CHARS);
    String json = EventJson.deadLetterToJson(d);
    assertThat(json).startsWith("{\"event\":{\"v\":2,\"eventId\"").contains("\"attempts\":3", "\"failedAt\":\"2026-11-30T05:00:00Z\"");
    assertThat(EventJson.deadLetterFromBytes(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(d);
  }

  @Test
  void stackTracesAreCutToTheLimit() {
    Throwable deep = new RuntimeException("deep");
    for (int i = 0; i < 50; i++) {
      deep = new RuntimeException("level " + i, deep);
    }
    String trace = DeadLetters.truncatedStackTrace(deep, 500);
    assertThat(trace).hasSizeLessThanOrEqualTo(500).endsWith("(truncated)");
  }
}
