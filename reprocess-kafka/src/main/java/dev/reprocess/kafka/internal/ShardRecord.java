package dev.reprocess.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One record of a distributed job's shard topic: a shard, or a group of consecutive shards
 * committed together ({@code shardsPerRecord} above 1). Keyed by {@link #id()}; the value is a JSON
 * object {@code {"job": ..., "fingerprint": ..., "shard": {"id", "assetType", "properties"}}} for
 * one shard (the form of every record before groups), {@code {"job", "fingerprint", "shards": [{"id",
 * "assetType", "properties"}, ...]}} for a group. The fingerprint identifies the selection and its
 * grouping, so a host never runs the shards of another selection or groups them otherwise.
 *
 * @param job the distributed job's name
 * @param fingerprint {@link #fingerprint} of the selection
 * @param shards the record's shards, at least one, in the selector's order
 */
public record ShardRecord(String job, String fingerprint, List<Shard> shards) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ShardRecord {
    shards = List.copyOf(shards);
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a shard record carries at least one shard");
    }
  }

  /** A record of one shard. */
  public ShardRecord(String job, String fingerprint, Shard shard) {
    this(job, fingerprint, List.of(shard));
  }

  /**
   * The record's id, which keys it: the shard's id for one shard, {@code
   * <first shard id>..<last shard id>} for a group.
   */
  public String id() {
    return id(shards);
  }

  /** The id of a record carrying {@code shards}: see {@link #id()}. */
  public static String id(List<Shard> shards) {
    return shards.size() == 1 ? shards.get(0).id() : shards.get(0).id() + ".." + shards.get(shards.size() - 1).id();
  }

  /** The record's key: its {@link #id()}, UTF-8. */
  public byte[] key() {
    return id().getBytes(StandardCharsets.UTF_8);
  }

  /** The record's value, JSON in UTF-8. */
  public byte[] value() {
    ObjectNode root = JSON.createObjectNode().put("job", job).put("fingerprint", fingerprint);
    if (shards.size() == 1) {
      write(root.putObject("shard"), shards.get(0));
    } else {
      ArrayNode array = root.putArray("shards");
      shards.forEach(shard -> write(array.addObject(), shard));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write shard record " + id() + " as JSON", e);
    }
  }

  private static void write(ObjectNode node, Shard shard) {
    node.put("id", shard.id()).put("assetType", shard.assetType());
    ObjectNode props = node.putObject("properties");
    shard.properties().forEach(props::put);
  }

  /**
   * Reads a record's value, of one shard or of a group.
   *
   * @throws ReprocessException naming the topic, partition and offset if it is not a shard record
   */
  public static ShardRecord parse(byte[] value, String where) {
    try {
      JsonNode root = JSON.readTree(value);
      List<Shard> shards = new ArrayList<>();
      JsonNode group = root.get("shards");
      if (group != null) {
        group.forEach(s -> shards.add(shard(s)));
      } else {
        shards.add(shard(root.get("shard")));
      }
      return new ShardRecord(root.get("job").asText(), root.get("fingerprint").asText(), shards);
    } catch (IOException | RuntimeException e) {
      throw new ReprocessException("the record at " + where + " is not a shard record of a distributed job: " + e, e);
    }
  }

  private static Shard shard(JsonNode s) {
    Map<String, String> props = new HashMap<>();
    s.get("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
    JsonNode type = s.get("assetType");
    return new Shard(s.get("id").asText(), type == null || type.isNull() ? null : type.asText(), props);
  }

  /**
   * The records of a selection's shards: consecutive groups of {@code shardsPerRecord} in the
   * selector's order, the last one possibly smaller.
   */
  public static List<ShardRecord> of(String job, String fingerprint, List<Shard> shards, int shardsPerRecord) {
    List<ShardRecord> records = new ArrayList<>();
    for (int from = 0; from < shards.size(); from += shardsPerRecord) {
      records.add(new ShardRecord(job, fingerprint, shards.subList(from, Math.min(shards.size(), from + shardsPerRecord))));
    }
    return records;
  }

  /** {@link #fingerprint(String, List, int)} of a selection published one shard per record. */
  public static String fingerprint(String definition, List<Shard> shards) {
    return fingerprint(definition, shards, 1);
  }

  /**
   * The fingerprint of a selection and its grouping: SHA-256, in hex, of its {@code
   * selectionDefinition()} when it has one, else of its shard ids in order, and of {@code
   * shardsPerRecord} when above 1 (so one shard per record keeps the fingerprint of records
   * published before groups).
   */
  public static String fingerprint(String definition, List<Shard> shards, int shardsPerRecord) {
    StringBuilder text = new StringBuilder();
    if (definition != null) {
      text.append("definition\n").append(definition);
    } else {
      text.append("shards\n");
      shards.forEach(s -> text.append(s.id()).append('\n'));
    }
    if (shardsPerRecord > 1) {
      text.append("\nshards per record ").append(shardsPerRecord);
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
