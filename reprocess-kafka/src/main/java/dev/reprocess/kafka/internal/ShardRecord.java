package dev.reprocess.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One shard of a distributed job as a record of its shard topic: keyed by the shard id, the value
 * a JSON object {@code {"job": ..., "fingerprint": ..., "shard": {"id", "assetType",
 * "properties"}}}. The fingerprint identifies the selection the shard belongs to, so a host never
 * runs the shard of another selection.
 *
 * @param job the distributed job's name
 * @param fingerprint {@link #fingerprint} of the selection
 * @param shard the shard
 */
public record ShardRecord(String job, String fingerprint, Shard shard) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The record's key: the shard id, UTF-8. */
  public byte[] key() {
    return shard.id().getBytes(StandardCharsets.UTF_8);
  }

  /** The record's value, JSON in UTF-8. */
  public byte[] value() {
    ObjectNode root = JSON.createObjectNode().put("job", job).put("fingerprint", fingerprint);
    ObjectNode s = root.putObject("shard").put("id", shard.id()).put("assetType", shard.assetType());
    ObjectNode props = s.putObject("properties");
    shard.properties().forEach(props::put);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write shard " + shard.id() + " as JSON", e);
    }
  }

  /**
   * Reads a record's value.
   *
   * @throws ReprocessException naming the topic, partition and offset if it is not a shard record
   */
  public static ShardRecord parse(byte[] value, String where) {
    try {
      JsonNode root = JSON.readTree(value);
      JsonNode s = root.get("shard");
      Map<String, String> props = new HashMap<>();
      s.get("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
      JsonNode type = s.get("assetType");
      return new ShardRecord(root.get("job").asText(), root.get("fingerprint").asText(),
          new Shard(s.get("id").asText(), type == null || type.isNull() ? null : type.asText(), props));
    } catch (IOException | RuntimeException e) {
      throw new ReprocessException("the record at " + where + " is not a shard record of a distributed job: " + e, e);
    }
  }

  /**
   * The fingerprint of a selection: SHA-256, in hex, of its {@code selectionDefinition()} when it has
   * one, else of its shard ids in order.
   */
  public static String fingerprint(String definition, List<Shard> shards) {
    StringBuilder text = new StringBuilder();
    if (definition != null) {
      text.append("definition\n").append(definition);
    } else {
      text.append("shards\n");
      shards.forEach(s -> text.append(s.id()).append('\n'));
    }
    return sha256(text.toString());
  }

  /** SHA-256 of the UTF-8 text, in lower-case hex. */
  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
