package dev.reprocess.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One record of the outcomes topic: a worker's cumulative outcome counts for one job since it
 * started. Key {@code <job>\n<worker>} (UTF-8), so the compacted topic keeps the latest per job and
 * worker; value JSON {@code {"job","worker","succeeded","skipped","deadLettered","deadLetterFailed",
 * "at"}} ({@code at} in epoch milliseconds). Immutable.
 *
 * @param worker the worker's instance id: its name and a random suffix chosen at each start, so a
 *     restarted worker adds to the counts of its earlier run rather than replacing them
 */
public record OutcomeRecord(String job, String worker, long succeeded, long skipped, long deadLettered,
    long deadLetterFailed, long at) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The key of the record: {@code <job>\n<worker>} in UTF-8. */
  public byte[] key() {
    return (job + "\n" + worker).getBytes(StandardCharsets.UTF_8);
  }

  /** The value of the record, JSON. */
  public byte[] value() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("job", job);
    v.put("worker", worker);
    v.put("succeeded", succeeded);
    v.put("skipped", skipped);
    v.put("deadLettered", deadLettered);
    v.put("deadLetterFailed", deadLetterFailed);
    v.put("at", at);
    try {
      return MAPPER.writeValueAsBytes(v);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write an outcome record as JSON", e);
    }
  }

  /**
   * Reads a record's value.
   *
   * @throws IllegalArgumentException if it is not an outcome record's JSON
   */
  public static OutcomeRecord parse(byte[] value) {
    try {
      JsonNode n = MAPPER.readTree(value);
      if (n == null || !n.hasNonNull("job") || !n.hasNonNull("worker")) {
        throw new IllegalArgumentException("not an outcome record: no job or worker");
      }
      return new OutcomeRecord(n.get("job").asText(), n.get("worker").asText(), n.path("succeeded").asLong(),
          n.path("skipped").asLong(), n.path("deadLettered").asLong(), n.path("deadLetterFailed").asLong(),
          n.path("at").asLong());
    } catch (IOException e) {
      throw new IllegalArgumentException("not an outcome record: " + e.getMessage(), e);
    }
  }
}
