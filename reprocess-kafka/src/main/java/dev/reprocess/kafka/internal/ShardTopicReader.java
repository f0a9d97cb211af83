package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Reads the records a distributed job published: every committed record of the shard topic
 * ({@code read_committed}, an assigned consumer in no group, never committing), from the beginning
 * of each partition to its end offset when the read started.
 */
public final class ShardTopicReader {
  private ShardTopicReader() {}

  /**
   * A published record: the partition that holds it and its shards' ids.
   *
   * @param partition the shard topic's partition
   * @param shardIds its shards' ids, in the selector's order
   */
  public record Published(int partition, List<String> shardIds) {
    public Published {
      shardIds = List.copyOf(shardIds);
    }
  }

  /**
   * The configuration of a consumer of the shard topic: committed records only (a publisher's
   * aborted transaction is never read), and the topic is never created by reading it (a broker that
   * creates topics on request would give it its default partition count).
   *
   * @param groupId the consumer group, or {@code null} for a consumer that assigns partitions itself
   */
  public static Map<String, Object> consumerConfig(KafkaConnection connection, String groupId, Duration apiTimeout,
      String clientId) {
    Map<String, Object> config = connection.consumerConfig(groupId, apiTimeout, clientId);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return config;
  }

  /**
   * The published records by record id ({@link ShardRecord#id()}), sorted by record id; empty when
   * the topic does not exist or holds no committed record.
   *
   * @throws ReprocessException if the topic cannot be read to its end within {@code apiTimeout}
   *     (the message names the job and the topic)
   */
  public static SortedMap<String, Published> records(KafkaConnection connection, String jobName, String topic,
      Duration apiTimeout) {
    Map<String, Object> config = consumerConfig(connection, null, apiTimeout, jobName + "-status-reader");
    SortedMap<String, Published> ids = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaConnection.created(config, () -> new KafkaConsumer<>(config))) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, apiTimeout);
      } catch (UnknownTopicOrPartitionException e) {
        return ids;
      }
      if (infos == null || infos.isEmpty()) {
        return ids;
      }
      Set<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
          .collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, apiTimeout));
      long deadline = System.nanoTime() + apiTimeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, apiTimeout) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new ReprocessException("job '" + jobName + "': could not read the shard topic '" + topic
              + "' to its end within " + apiTimeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          ShardRecord record = ShardRecord.parse(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
          ids.put(record.id(), new Published(r.partition(), record.shards().stream().map(Shard::id).toList()));
        }
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new ReprocessException("job '" + jobName + "': could not read the shard topic '" + topic + "': "
          + e.getMessage(), e);
    }
    return ids;
  }
}
