package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessException;
import dev.reprocess.kafka.KafkaTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.PartitionInfo;

/**
 * The topic check the Kafka sinks run before their first record: the topic exists and each of its
 * partitions has a leader that answers. Nothing is sent and the topic is never created.
 */
public final class TopicCheck {
  private TopicCheck() {}

  /**
   * Checks {@code topic}: with a connection the sink made ({@code adminConfig} not null), through a
   * short-lived admin client ({@link KafkaTopics#requireTopics}) waiting at most {@code timeout};
   * with the host's producer ({@code adminConfig} null), through the producer's metadata (bounded by
   * its {@code max.block.ms}).
   *
   * @throws ReprocessException naming the topic when it does not exist or has no partitions
   * @throws org.apache.kafka.common.KafkaException as the client raised it (brokers unreachable,
   *     time-out, authorization); the caller classifies it
   */
  public static void require(Map<String, Object> adminConfig, ProducerHandle producer, String topic, Duration timeout) {
    if (adminConfig != null) {
      try (Admin admin = Admin.create(adminConfig)) {
        KafkaTopics.requireTopics(admin, List.of(topic), timeout);
      }
      return;
    }
    List<PartitionInfo> partitions = producer.producer().partitionsFor(topic);
    if (partitions == null || partitions.isEmpty()) {
      throw new ReprocessException("topic '" + topic + "' has no partitions");
    }
  }
}
