package dev.reprocess;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.reprocess.internal.Quote;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One asset to process: what a handler receives, and what travels through Kafka as JSON.
 *
 * <p>Immutable and thread-safe. JSON form (Jackson): {@code {"eventId":"…","jobName":"…",
 * "assetId":"…","assetType":"…","shardId":"…","attempt":1,"createdAt":"2026-11-30T04:32:55Z",
 * "attributes":{…}}}.
 *
 * @param eventId unique per event (a random UUID by default); stays the same across attempts,
 *     so a handler can use it for idempotency
 * @param jobName the job that produced it
 * @param assetId the asset to process
 * @param assetType the asset's type, or {@code null} if the selector did not know it
 * @param shardId the shard the asset was selected from
 * @param attempt 1 for the first delivery, incremented on each retry
 * @param createdAt when the event was created (not the asset); a job on the system clock stamps
 *     its events at millisecond precision, at most 1 ms before their creation
 * @param attributes what the selector read along with the id; never null
 */
public record ReprocessEvent(
    String eventId,
    String jobName,
    String assetId,
    String assetType,
    String shardId,
    int attempt,
    Instant createdAt,
    Map<String, String> attributes) {

  @JsonCreator
  public ReprocessEvent(
      @JsonProperty("eventId") String eventId,
      @JsonProperty("jobName") String jobName,
      @JsonProperty("assetId") String assetId,
      @JsonProperty("assetType") String assetType,
      @JsonProperty("shardId") String shardId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("createdAt") Instant createdAt,
      @JsonProperty("attributes") Map<String, String> attributes) {
    this.eventId = requireText(eventId, "eventId");
    this.jobName = requireText(jobName, "jobName");
    this.assetId = requireText(assetId, "assetId");
    this.assetType = assetType;
    this.shardId = requireText(shardId, "shardId");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt is " + attempt + ": it must be at least 1");
    }
    this.attempt = attempt;
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /**
   * A first-attempt event for an asset read from a shard, with a random event id.
   *
   * @param createdAt usually {@code clock.instant()} of the job's clock
   */
  public static ReprocessEvent of(String jobName, Shard shard, AssetRef asset, Instant createdAt) {
    return new ReprocessEvent(
        UUID.randomUUID().toString(),
        jobName,
        asset.assetId(),
        asset.assetType() != null ? asset.assetType() : shard.assetType(),
        shard.id(),
        1,
        createdAt,
        asset.attributes());
  }

  /** The same event, as its next attempt. */
  public ReprocessEvent nextAttempt() {
    return new ReprocessEvent(eventId, jobName, assetId, assetType, shardId, attempt + 1, createdAt, attributes);
  }

  /** The same event with the given attempt number (at least 1). */
  public ReprocessEvent withAttempt(int attempt) {
    return new ReprocessEvent(eventId, jobName, assetId, assetType, shardId, attempt, createdAt, attributes);
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is '" + Quote.abbreviate(value) + "': it must be a non-blank string");
    }
    return value;
  }
}
