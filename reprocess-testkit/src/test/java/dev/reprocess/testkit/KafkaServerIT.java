package dev.reprocess.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared Kafka is a real broker: 6 partitions, 10,000 keyed records produced idempotently and consumed back. */
@ExtendWith(TestBackends.class)
class KafkaServerIT {

    private static final int RECORDS = 10_000;
    private static final int PARTITIONS = 6;

    @Test
    void producesTenThousandKeyedRecordsAndConsumesThemAllInAGroup(KafkaBackend kafka) throws Exception {
        String topic = "testkit-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
            awaitPartitionsAnswer(admin, topic, PARTITIONS);

            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            Queue<Exception> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger acked = new AtomicInteger();
            Map<String, Integer> partitionOfKey = new java.util.concurrent.ConcurrentHashMap<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                for (int i = 0; i < RECORDS; i++) {
                    String key = "asset-" + i;
                    producer.send(new ProducerRecord<>(topic, key, "event-" + i), (metadata, error) -> {
                        if (error != null) {
                            failures.add(error);
                        } else {
                            acked.incrementAndGet();
                            partitionOfKey.put(key, metadata.partition());
                        }
                    });
                }
                producer.flush();
            }
            assertThat(failures).as("send callback errors").isEmpty();
            assertThat(acked.get()).isEqualTo(RECORDS);

            String group = "testkit-it-group-" + UUID.randomUUID();
            Map<String, Object> consumerConfig = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            Map<String, String> consumed = new HashMap<>();
            Map<Integer, Long> lastOffset = new HashMap<>();
            int duplicates = 0;
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (consumed.size() < RECORDS && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        if (consumed.put(record.key(), record.value()) != null) {
                            duplicates++;
                        }
                        assertThat(record.partition()).isEqualTo(partitionOfKey.get(record.key()));
                        Long previous = lastOffset.put(record.partition(), record.offset());
                        assertThat(previous == null || previous < record.offset()).as("offsets increase").isTrue();
                    }
                }
                consumer.commitSync();
            }
            assertThat(consumed).hasSize(RECORDS);
            assertThat(duplicates).isZero();
            assertThat(consumed.get("asset-4242")).isEqualTo("event-4242");
            assertThat(lastOffset.keySet()).as("every partition got records")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, PARTITIONS).boxed().toList());

            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(RECORDS);
        }
    }

    @Test
    void restartKeepsPortAndData(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        KafkaServer server = KafkaServer.builder().directory(dir.resolve("kafka")).start();
        try {
            String bootstrap = server.bootstrapServers();
            String topic = "restart-" + UUID.randomUUID();
            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
                awaitPartitionsAnswer(admin, topic, 1);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                producer.send(new ProducerRecord<>(topic, "k", "before restart")).get(60, TimeUnit.SECONDS);
            }
            long pidBefore = server.pid();

            server.restart();

            assertThat(server.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(server.pid()).isNotEqualTo(pidBefore);
            assertThat(ProcessHandle.of(pidBefore).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "restart-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
                consumer.subscribe(List.of(topic));
                Set<String> values = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
                }
                assertThat(values).containsExactly("before restart");
            }
            long pid = server.pid();
            server.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            server.close(); // idempotent
        } finally {
            server.close();
        }
    }

    @Test
    void aServerThatDiesDuringStartIsReportedWithItsLog(@org.junit.jupiter.api.io.TempDir Path dir) {
        // A 2 MB heap is too small for the JVM itself: the process exits at once.
        assertThatThrownBy(() -> KafkaServer.builder().directory(dir.resolve("kafka")).maxHeap("2m").start())
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.EXITED);
                    assertThat(e.getMessage()).contains("exited with code").contains("lines of")
                            .contains("heap");
                });
    }

    /** Waits until every partition answers ListOffsets, before producing (the testkit's README says why). */
    static void awaitPartitionsAnswer(Admin admin, String topic, int partitions) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("partitions of " + topic + " did not answer ListOffsets in 60 s", e);
                }
                Thread.sleep(100);
            }
        }
    }
}
