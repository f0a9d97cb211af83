package dev.reprocess.kafka.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the hosts' group committed every record of the shard topic, asked through an admin
 * client (not the host's consumer, which must keep polling to take part in rebalances). Any
 * failure to answer counts as "not yet". Poll thread only; {@link #close()} closes the client.
 */
final class GroupCompletion implements AutoCloseable {
  /** Bound of each of its calls: the host's {@code apiTimeout}, at most 5 s (the host's loop waits for it). */
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(5);

  private final Duration timeout;
  private final Admin admin;
  private final String topic;
  private final String groupId;

  GroupCompletion(DistributedSettings settings) {
    this.timeout = settings.apiTimeout().compareTo(MAX_TIMEOUT) < 0 ? settings.apiTimeout() : MAX_TIMEOUT;
    this.admin = Admin.create(settings.connection().adminConfig(timeout, settings.groupId() + "-completion"));
    this.topic = settings.shardTopic();
    this.groupId = settings.groupId();
  }

  /** True once the topic has records and the group's committed offset is at the end of each partition. */
  boolean complete() {
    try {
      int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return isComplete(end, committed);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Some partition has records, and every partition's committed offset is at its end. */
  static boolean isComplete(Map<TopicPartition, Long> end, Map<TopicPartition, OffsetAndMetadata> committed) {
    long total = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      total += e.getValue();
      OffsetAndMetadata c = committed.get(e.getKey());
      if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
        return false;
      }
    }
    return total > 0;
  }

  @Override
  public void close() {
    admin.close(timeout);
  }
}
