package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The lag of a consumer group on some topics: per topic, the records between the group's committed
 * offset and the end of each partition (from the partition's first offset where the group never
 * committed, as the worker's {@code auto.offset.reset=earliest} reads it).
 *
 * <p>The committed offsets are read before the end offsets. The worker commits a record forwarded
 * to the retry topic only after the retry topic acknowledged its copy, so a copy whose original is
 * in the committed offsets read is also below the retry topic's end offsets read after them: the
 * lag is never 0 while a record is on its way from one topic to the other.
 *
 * <p>Thread-safe if the admin client is (Kafka's is); the admin client is not closed here.
 */
public final class GroupLag {

  private final Admin admin;
  private final String groupId;
  private final List<String> topics;
  private final Duration timeout;

  /**
   * @param topics the topics, in the order {@link #read} returns them
   * @param timeout the bound on each call to the cluster
   */
  public GroupLag(Admin admin, String groupId, List<String> topics, Duration timeout) {
    this.admin = admin;
    this.groupId = groupId;
    this.topics = List.copyOf(topics);
    this.timeout = timeout;
  }

  /**
   * Reads the lag now.
   *
   * @return the lag per topic, in records, in the order of the topics given
   * @throws ReprocessException if a topic does not exist or the cluster does not answer in time
   */
  public Map<String, Long> read() {
    Map<TopicPartition, OffsetAndMetadata> committed = call("read the committed offsets of group '" + groupId + "'",
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
    List<TopicPartition> partitions = partitions();
    Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
    Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
    Map<TopicPartition, Long> committedOffsets = new HashMap<>();
    committed.forEach((tp, om) -> {
      if (om != null) {
        committedOffsets.put(tp, om.offset());
      }
    });
    return lagByTopic(topics, committedOffsets, starts, ends);
  }

  /**
   * The lag per topic from the offsets: for each partition of {@code ends}, its end minus the
   * committed offset, or minus its start where none is committed, never below 0.
   *
   * @param topics the topics to report, each with 0 when it has no partition in {@code ends}
   */
  static Map<String, Long> lagByTopic(Collection<String> topics, Map<TopicPartition, Long> committed,
      Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends) {
    Map<String, Long> lag = new LinkedHashMap<>();
    topics.forEach(t -> lag.put(t, 0L));
    ends.forEach((tp, end) -> {
      Long from = committed.get(tp);
      if (from == null) {
        from = starts.getOrDefault(tp, 0L);
      }
      lag.merge(tp.topic(), Math.max(0, end - from), Long::sum);
    });
    return lag;
  }

  private List<TopicPartition> partitions() {
    Map<String, TopicDescription> described;
    try {
      described = call("describe topics " + topics, admin.describeTopics(topics).allTopicNames());
    } catch (ReprocessException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new ReprocessException("a topic of " + topics + " does not exist: create the events topic and its retry"
            + " topic first (KafkaTopics.ensureTopics)", e.getCause());
      }
      throw e;
    }
    List<TopicPartition> out = new ArrayList<>();
    described.values().forEach(d -> d.partitions().forEach(p -> out.add(new TopicPartition(d.name(), p.partition()))));
    return out;
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResultInfo> infos = call("list offsets of " + topics,
        admin.listOffsets(request).all());
    Map<TopicPartition, Long> out = new HashMap<>();
    infos.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private <T> T call(String what, KafkaFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ReprocessException("cannot " + what + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new ReprocessException("Kafka did not answer '" + what + "' within " + timeout
          + ": are the bootstrap servers reachable?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("interrupted while waiting to " + what, e);
    }
  }
}
