package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the outcomes topic from its beginning to its end offsets (taken when the read starts) with
 * a consumer of no group, and keeps the latest {@link OutcomeRecord} per job and worker. Each call
 * creates and closes its own consumer, so it is thread-safe.
 */
public final class OutcomesReader {

  private static final Logger log = LoggerFactory.getLogger(OutcomesReader.class);

  private final Map<String, Object> consumerConfig;
  private final String topic;
  private final Duration timeout;

  /** @param consumerConfig a consumer configuration without a group (see {@link KafkaConnection#consumerConfig}) */
  public OutcomesReader(Map<String, Object> consumerConfig, String topic, Duration timeout) {
    this.consumerConfig = Map.copyOf(consumerConfig);
    this.topic = topic;
    this.timeout = timeout;
  }

  /**
   * The latest record of every worker that reported for {@code job}.
   *
   * @throws ReprocessException if the topic does not exist, or it cannot be read to its end within
   *     the timeout
   */
  public List<OutcomeRecord> latest(String job) {
    Map<String, OutcomeRecord> byWorker = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new ReprocessException("outcomes topic '" + topic + "' does not exist: create it first (KafkaJobCompletion"
            + ".outcomesTopicSpec) and give it to the workers (KafkaReprocessWorker.Builder.outcomesTopic)");
      }
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition()))
          .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < ends.get(tp))) {
        if (System.nanoTime() - deadline > 0) {
          throw new ReprocessException("could not read outcomes topic '" + topic + "' to its end " + ends + " within "
              + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          keep(job, r, byWorker);
        }
      }
    } catch (KafkaException e) {
      throw new ReprocessException("cannot read outcomes topic '" + topic + "': " + e, e);
    }
    return List.copyOf(byWorker.values());
  }

  private static void keep(String job, ConsumerRecord<byte[], byte[]> r, Map<String, OutcomeRecord> byWorker) {
    if (r.value() == null) {
      return;
    }
    try {
      OutcomeRecord o = OutcomeRecord.parse(r.value());
      if (o.job().equals(job)) {
        byWorker.put(o.worker(), o); // Offset order within the one partition of a key: the last is the latest.
      }
    } catch (IllegalArgumentException e) {
      log.warn("outcomes topic '{}': record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }
}
