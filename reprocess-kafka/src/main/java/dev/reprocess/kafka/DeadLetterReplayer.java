package dev.reprocess.kafka;

import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ProducerHandle;
import dev.reprocess.kafka.internal.Records;
import dev.reprocess.kafka.internal.Sends;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes dead letters again to the events topic, once the cause of their failure is fixed:
 * all of them, or those of some jobs, or those that failed with some exception classes.
 *
 * <p>A replay is bounded: it captures the dead-letter topic's end offsets when it starts, reads
 * up to them and stops, so dead letters written meanwhile (even by the replayed events failing
 * again) are left for a later replay. Each replayed event keeps its event id and gets attempt 1
 * and a {@link KafkaHeaders#REPLAYED_FROM} header ({@code topic-partition@offset}); the replay
 * returns once the broker acknowledged every one of them. Dead letters that are not events (poison
 * records) are counted and left alone.
 *
 * <p>Without a {@link Builder#groupId groupId} every replay reads the topic from its beginning
 * (replaying twice publishes twice; handlers are idempotent anyway). With one, the replay resumes
 * after the last replay's end and commits its end offsets once everything was acknowledged.
 *
 * <p>Thread-safe: each {@link #replay()} uses its own consumer (and producer, unless the host
 * passed one, which is never closed).
 */
public final class DeadLetterReplayer {

  /** Default bound on one replay: 5 minutes. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);

  private final String deadLetterTopic;
  private final String topic;
  private final Set<String> jobs;
  private final Set<String> exceptionClasses;
  private final Duration timeout;
  private final String groupId;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> producerConfig;
  private final KafkaConnection connection;
  private final Supplier<Consumer<byte[], byte[]>> consumerFactory;

  private DeadLetterReplayer(Builder b, KafkaConnection connection, Map<String, Object> consumerConfig,
      Map<String, Object> producerConfig) {
    this.deadLetterTopic = b.deadLetterTopic;
    this.topic = b.topic;
    this.jobs = Set.copyOf(b.jobs);
    this.exceptionClasses = Set.copyOf(b.exceptionClasses);
    this.timeout = b.timeout;
    this.groupId = b.groupId;
    this.consumerConfig = consumerConfig;
    this.producerConfig = producerConfig;
    this.connection = connection;
    this.consumerFactory = b.consumerFactory;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Replays the matching dead letters up to the end offsets captured now.
   *
   * @return the counts
   * @throws ReprocessException if the dead-letter topic does not exist, the brokers do not answer,
   *     the end is not reached within the timeout, or a replayed event is not acknowledged (the
   *     message says how many were)
   */
  public ReplayResult replay() {
    ProducerHandle producer = connection.producer(producerConfig);
    try (Consumer<byte[], byte[]> consumer = consumerFactory != null ? consumerFactory.get() : new KafkaConsumer<>(consumerConfig)) {
      ReplayResult result = new Replay(consumer, producer).run();
      log.info("replay: '{}' -> '{}' done: {}", deadLetterTopic, topic, result);
      return result;
    } finally {
      producer.release(timeout);
    }
  }

  /** One replay: its consumer, producer, end offsets and counts. */
  private final class Replay {
    private final Consumer<byte[], byte[]> consumer;
    private final ProducerHandle producer;
    private final long deadlineNanos = System.nanoTime() + timeout.toNanos();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private Map<TopicPartition, Long> end;
    private long read;
    private long sent;
    private long filtered;
    private long undecodable;

    Replay(Consumer<byte[], byte[]> consumer, ProducerHandle producer) {
      this.consumer = consumer;
      this.producer = producer;
    }

    ReplayResult run() {
      Set<TopicPartition> partitions = assignDeadLetterPartitions();
      end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      seekToStart(partitions);
      log.info("replay: '{}' -> '{}', jobs {}, exception classes {}, up to end offsets {}", deadLetterTopic, topic,
          jobs.isEmpty() ? "all" : jobs, exceptionClasses.isEmpty() ? "all" : exceptionClasses, end);
      readToEnd(partitions);
      producer.producer().flush();
      if (failed.get() > 0 || acked.get() != sent) {
        throw new ReprocessException("replay of '" + deadLetterTopic + "' to '" + topic + "': " + acked.get() + " of " + sent
            + " events acknowledged, " + failed.get() + " failed; first error: " + firstError.get(), firstError.get());
      }
      if (groupId != null) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        end.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
        consumer.commitSync(offsets, timeout);
      }
      return new ReplayResult(read, sent, filtered, undecodable);
    }

    private Set<TopicPartition> assignDeadLetterPartitions() {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(deadLetterTopic, timeout);
      } catch (KafkaException e) {
        throw new ReprocessException("replay: cannot read dead-letter topic '" + deadLetterTopic + "' within " + timeout
            + " (are the bootstrap servers reachable?): " + e, e);
      }
      if (infos == null || infos.isEmpty()) {
        throw new ReprocessException("replay: dead-letter topic '" + deadLetterTopic + "' does not exist");
      }
      Set<TopicPartition> partitions = new HashSet<>();
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      return partitions;
    }

    /** From the group's committed offsets when there is a group, else from the beginning. */
    private void seekToStart(Set<TopicPartition> partitions) {
      if (groupId == null) {
        consumer.seekToBeginning(partitions);
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions, timeout);
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata om = committed.get(tp);
        if (om != null) {
          consumer.seek(tp, om.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    }

    private void readToEnd(Set<TopicPartition> partitions) {
      Set<TopicPartition> remaining = new HashSet<>(partitions);
      remaining.removeIf(tp -> consumer.position(tp, timeout) >= end.get(tp));
      while (!remaining.isEmpty()) {
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new ReprocessException("replay of '" + deadLetterTopic + "' did not reach the end offsets " + end
              + " within " + timeout + "; " + sent + " events were published again so far");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            read++;
            replayOne(r);
          }
        }
        remaining.removeIf(tp -> consumer.position(tp, timeout) >= end.get(tp));
      }
    }

    private void replayOne(ConsumerRecord<byte[], byte[]> r) {
      String job = Records.header(r.headers(), KafkaHeaders.DLT_JOB);
      String exceptionClass = Records.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_CLASS);
      if ((!jobs.isEmpty() && !jobs.contains(job)) || (!exceptionClasses.isEmpty() && !exceptionClasses.contains(exceptionClass))) {
        filtered++;
        return;
      }
      ReprocessEvent event;
      try {
        event = EventJson.fromBytes(r.value() == null ? new byte[0] : r.value());
      } catch (IllegalArgumentException e) {
        undecodable++;
        log.warn("replay: dead letter {}-{}@{} is not an event, left alone: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        return;
      }
      ProducerRecord<byte[], byte[]> out = Records.eventRecord(topic, event.withAttempt(1));
      out.headers().add(KafkaHeaders.REPLAYED_FROM,
          (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
      sent++;
      Sends.withCompletion(producer.producer(), out, error -> {
        if (error == null) {
          acked.incrementAndGet();
        } else {
          failed.incrementAndGet();
          firstError.compareAndSet(null, error);
        }
      });
    }
  }

  /**
   * Builds a {@link DeadLetterReplayer}. Mutable, not thread-safe; {@link #build()} checks every
   * option and does no I/O.
   *
   * <p>Connection: {@link #bootstrapServers} and/or {@link #kafkaProperties} (see {@link
   * KafkaClientBuilder}), for the consumer that reads the dead letters and, unless the host passes
   * its {@link #producer}, for a producer created per replay.
   */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private String deadLetterTopic;
    private String topic;
    private final Set<String> jobs = new HashSet<>();
    private final Set<String> exceptionClasses = new HashSet<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private String groupId;
    private Supplier<Consumer<byte[], byte[]>> consumerFactory;

    private Builder() {}

    /** The dead-letter topic to read; required. */
    public Builder deadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = deadLetterTopic;
      return this;
    }

    /** The events topic to publish to; required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Only dead letters of these jobs (header {@link KafkaHeaders#DLT_JOB}); default all. Adds to earlier calls. */
    public Builder jobs(Collection<String> jobNames) {
      jobs.addAll(jobNames);
      return this;
    }

    /** Only dead letters of these jobs; see {@link #jobs(Collection)}. */
    public Builder jobs(String... jobNames) {
      return jobs(List.of(jobNames));
    }

    /**
     * Only dead letters whose failure has one of these fully qualified class names (header {@link
     * KafkaHeaders#DLT_EXCEPTION_CLASS}, exact match); default all. Adds to earlier calls.
     */
    public Builder exceptionClasses(Collection<String> classNames) {
      exceptionClasses.addAll(classNames);
      return this;
    }

    /** See {@link #exceptionClasses(Collection)}. */
    public Builder exceptionClasses(String... classNames) {
      return exceptionClasses(List.of(classNames));
    }

    /** Bound on one replay; default 5 minutes. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** A consumer group remembering where the last replay ended; default none (read from the beginning). */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /** Tests: a consumer factory instead of a {@link KafkaConsumer}. */
    Builder consumerFactory(Supplier<Consumer<byte[], byte[]>> consumerFactory) {
      this.consumerFactory = consumerFactory;
      return this;
    }

    /**
     * Checks every option and builds the replayer.
     *
     * @throws IllegalArgumentException naming the option, its value and the rule
     */
    public DeadLetterReplayer build() {
      Options.topic("deadLetterTopic", deadLetterTopic);
      Options.topic("topic", topic);
      if (deadLetterTopic.equals(topic)) {
        throw new IllegalArgumentException("topic is '" + topic + "': it must differ from deadLetterTopic");
      }
      Options.positive("timeout", timeout);
      if (groupId != null) {
        Options.text("groupId", groupId);
      }
      for (String j : jobs) {
        Options.text("jobs entry", j);
      }
      for (String c : exceptionClasses) {
        Options.text("exceptionClasses entry", c);
      }
      KafkaConnection connection = connection();
      Map<String, Object> consumerConfig = null;
      Map<String, Object> producerConfig = null;
      if (consumerFactory == null || connection.hostProducer() == null) {
        consumerConfig = connection.consumerConfig(groupId, timeout, "reprocess-replayer-" + deadLetterTopic);
        // The replayer assigns its partitions itself: no group assignment takes place.
        consumerConfig.remove("partition.assignment.strategy");
        producerConfig = connection.producerConfig(timeout, "reprocess-replayer-" + deadLetterTopic + "-producer");
      }
      return new DeadLetterReplayer(this, connection, consumerConfig, producerConfig);
    }
  }
}
