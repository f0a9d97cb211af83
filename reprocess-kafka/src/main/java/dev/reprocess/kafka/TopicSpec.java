package dev.reprocess.kafka;

import java.util.Map;

/**
 * A topic {@link KafkaTopics#ensureTopics} creates when it is missing.
 *
 * @param name the topic name: 1 to 249 characters of {@code [A-Za-z0-9._-]}, as Kafka requires
 * @param partitions at least 1
 * @param replicationFactor at least 1
 * @param configs topic configurations ({@code retention.ms}, {@code min.insync.replicas}...);
 *     copied, never null
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

  public TopicSpec {
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "topic name is '" + name + "': it must be 1 to 249 characters of [A-Za-z0-9._-], not '.' or '..'");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions of topic '" + name + "' is " + partitions + ": it must be at least 1");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor of topic '" + name + "' is " + replicationFactor + ": it must be at least 1");
    }
    configs = configs == null ? Map.of() : Map.copyOf(configs);
  }

  /** A topic with the broker's default configuration. */
  public static TopicSpec of(String name, int partitions, int replicationFactor) {
    if (replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "replicationFactor of topic '" + name + "' is " + replicationFactor + ": it must be at most " + Short.MAX_VALUE);
    }
    return new TopicSpec(name, partitions, (short) replicationFactor, Map.of());
  }
}
