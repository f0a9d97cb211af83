package dev.reprocess.kafka;

import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.internal.Records;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.header.Header;

/** Shared pieces of the unit tests. */
final class TestSupport {
  private TestSupport() {}

  static ReprocessEvent event(String job, String assetId) {
    return new ReprocessEvent(UUID.randomUUID().toString(), job, assetId, "image/png", "shard-1", 1,
        Instant.parse("2026-11-30T04:00:00Z"), Map.of("size", "1024"));
  }

  static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, ReprocessEvent event) {
    ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(topic, partition, offset,
        event.assetId().getBytes(StandardCharsets.UTF_8), EventJson.toBytes(event));
    for (Header h : Records.eventHeaders(event)) {
      r.headers().add(h);
    }
    return r;
  }

  static String header(org.apache.kafka.common.header.Headers headers, String name) {
    return Records.header(headers, name);
  }

  /** A MockConsumer whose poll waits a little when it has nothing, as a real one does, instead of spinning. */
  static final class TestConsumer extends MockConsumer<byte[], byte[]> {
    /** The highest offset committed per partition (sync or async), as the worker asked. */
    final java.util.concurrent.ConcurrentHashMap<org.apache.kafka.common.TopicPartition, Long> commits =
        new java.util.concurrent.ConcurrentHashMap<>();

    TestConsumer() {
      super("earliest");
    }

    private void record(java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) {
      offsets.forEach((tp, om) -> commits.merge(tp, om.offset(), Math::max));
    }

    @Override
    public synchronized void commitSync(java.util.Map<org.apache.kafka.common.TopicPartition,
        org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets, Duration timeout) {
      super.commitSync(offsets, timeout);
      record(offsets);
    }

    @Override
    public synchronized void commitAsync(java.util.Map<org.apache.kafka.common.TopicPartition,
        org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets, org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
      super.commitAsync(offsets, callback);
      record(offsets);
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
      if (records.isEmpty() && !timeout.isZero()) {
        LockSupport.parkNanos(Math.min(timeout.toNanos(), Duration.ofMillis(2).toNanos()));
      }
      return records;
    }
  }
}
