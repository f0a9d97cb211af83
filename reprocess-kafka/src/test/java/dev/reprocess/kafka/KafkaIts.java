package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the integration tests share: the test Kafka and an admin client on it ({@link Broker}), unique
 * topic names, publishing, offsets, reading a topic to its end.
 */
final class KafkaIts {
  private KafkaIts() {}

  /**
   * The JVM's shared test Kafka ({@link TestBackends#kafka()}, started on first use) and an
   * {@link Admin} on it for one test class: created before the class's first test, closed after its
   * last. Register it as a static field:
   *
   * <pre>{@code
   * @RegisterExtension
   * static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();
   * }</pre>
   *
   * <p>{@link #bootstrap()} and {@link #admin()} answer from the class's first test on; before, they
   * throw {@link IllegalStateException}. Not for parallel test classes sharing one instance.
   */
  static final class Broker implements BeforeAllCallback, AfterAllCallback {
    private String bootstrap;
    private Admin admin;

    @Override
    public void beforeAll(ExtensionContext context) {
      bootstrap = TestBackends.kafka().bootstrapServers();
      admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    @Override
    public void afterAll(ExtensionContext context) {
      if (admin != null) {
        admin.close();
        admin = null;
      }
    }

    /** The test Kafka's {@code bootstrap.servers}, {@code host:port}. */
    String bootstrap() {
      if (bootstrap == null) {
        throw new IllegalStateException("KafkaIts.Broker: bootstrap() before the test class started");
      }
      return bootstrap;
    }

    /** The class's admin client on the test Kafka; closed after the class's last test. */
    Admin admin() {
      if (admin == null) {
        throw new IllegalStateException("KafkaIts.Broker: admin() outside the test class's run");
      }
      return admin;
    }
  }

  static ReprocessEvent event(String job, String assetId) {
    return TestSupport.event(job, assetId);
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static void createTopics(String bootstrap, String events, int partitions) {
    KafkaTopics.ensureTopics(bootstrap, Map.of(), List.of(
        TopicSpec.of(events, partitions, 1),
        TopicSpec.of(events + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX, partitions, 1),
        TopicSpec.of(events + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX, 1, 1)), Duration.ofSeconds(60));
  }

  /**
   * Publishes events {@code from} to {@code from + count - 1} (asset ids {@code asset-<n>}, six
   * digits) with a {@link KafkaEventSink}, and waits until Kafka acknowledged every one.
   */
  static List<ReprocessEvent> publish(String bootstrap, String topic, String job, int from, int count) {
    List<ReprocessEvent> events = new ArrayList<>();
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build()) {
      List<CompletableFuture<Outcome>> stages = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        ReprocessEvent e = new ReprocessEvent("ev-" + i, job, String.format("asset-%06d", i),
            "image/png", "mem-0", 1, Instant.now(), Map.of("i", Integer.toString(i)));
        events.add(e);
        stages.add(sink.deliver(e).toCompletableFuture());
      }
      sink.flush();
      CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).join();
      assertThat(sink.acknowledged()).isEqualTo(count);
    }
    return events;
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws ExecutionException, InterruptedException {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  static Map<TopicPartition, Long> committed(Admin admin, String group) throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> out = new HashMap<>();
    offsets.forEach((tp, om) -> {
      if (om != null) {
        out.put(tp, om.offset());
      }
    });
    return out;
  }

  /** Waits until the group's committed offset equals the end offset on every partition of the topics. */
  static void awaitCommittedAtEnd(Admin admin, String group, Duration atMost, String... topics) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      Map<TopicPartition, Long> committed = committed(admin, group);
      for (String topic : topics) {
        for (Map.Entry<TopicPartition, Long> e : endOffsets(admin, topic).entrySet()) {
          long end = e.getValue();
          if (end > 0 && !Long.valueOf(end).equals(committed.get(e.getKey()))) {
            return false;
          }
        }
      }
      return true;
    });
  }

  /**
   * Waits until the group is stable with exactly {@code members} members, each owning at least one
   * partition of the topic and together all of them; returns each member's partitions of the topic
   * by client id.
   */
  static Map<String, Set<TopicPartition>> awaitSettledAssignment(Admin admin, String group, String topic, int members,
      Duration atMost) {
    Map<String, Set<TopicPartition>> settled = new HashMap<>();
    await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
          .get(group).get();
      if (description.groupState() != GroupState.STABLE || description.members().size() != members) {
        return false;
      }
      Map<String, Set<TopicPartition>> byClient = new HashMap<>();
      Set<TopicPartition> all = new HashSet<>();
      for (MemberDescription member : description.members()) {
        Set<TopicPartition> owned = member.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(topic)).collect(Collectors.toSet());
        if (owned.isEmpty()) {
          return false;
        }
        byClient.put(member.clientId(), owned);
        all.addAll(owned);
      }
      if (!all.equals(endOffsets(admin, topic).keySet())) {
        return false;
      }
      settled.clear();
      settled.putAll(byClient);
      return true;
    });
    return settled;
  }

  static long count(Admin admin, String topic) throws ExecutionException, InterruptedException {
    return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every record of the topic up to its current end. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    return read(bootstrap, topic, "read_uncommitted");
  }

  /** Every record of committed transactions (and outside any) up to the topic's last stable offset. */
  static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
    return read(bootstrap, topic, "read_committed");
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, String isolationLevel) {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap,
        "key.deserializer", ByteArrayDeserializer.class.getName(),
        "value.deserializer", ByteArrayDeserializer.class.getName(),
        "enable.auto.commit", false, "isolation.level", isolationLevel);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      Set<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
