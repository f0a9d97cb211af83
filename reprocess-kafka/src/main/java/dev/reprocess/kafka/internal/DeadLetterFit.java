package dev.reprocess.kafka.internal;

import dev.reprocess.kafka.KafkaHeaders;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Makes a dead-letter record fit what the producer and the dead-letter topic accept: a record
 * whose size would pass {@code maxRecordBytes} keeps its key and headers and gets its value cut to
 * the bytes that fit (possibly none), with {@link KafkaHeaders#DLT_VALUE_TRUNCATED} and {@link
 * KafkaHeaders#DLT_VALUE_ORIGINAL_SIZE} added. The dead letter still says what failed and where
 * the original record is (its {@code reprocess.dlt.original.*} headers), so a poison record of any
 * size is dead-lettered instead of blocking its partition.
 *
 * <p>{@code maxRecordBytes} is the smaller of the producer's {@code max.request.size} and the
 * topic's {@code max.message.bytes}; {@link #FRAMING_BYTES} of it are kept for the record's and
 * its batch's framing. Stateless and thread-safe.
 */
public final class DeadLetterFit {

  /** Room kept for the framing of the record and of its batch, in bytes: {@value}. */
  public static final int FRAMING_BYTES = 1024;

  /** Kafka's default {@code max.request.size} and {@code max.message.bytes}, about 1 MB. */
  public static final int KAFKA_DEFAULT_MAX_BYTES = ProducerConfig.configDef().defaultValues()
      .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG) instanceof Integer i ? i : 1_048_576;

  private DeadLetterFit() {}

  /** The producer's {@code max.request.size} in a checked producer configuration. */
  public static int maxRequestSize(Map<String, Object> producerConfig) {
    return new ProducerConfig(producerConfig).getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
  }

  /** The record as it is when it fits in {@code maxRecordBytes}, else with its value cut to fit. */
  public static ProducerRecord<byte[], byte[]> fit(ProducerRecord<byte[], byte[]> record, int maxRecordBytes) {
    byte[] value = record.value();
    if (value == null || sizeOf(record) <= maxRecordBytes - FRAMING_BYTES) {
      return record;
    }
    int room = maxRecordBytes - FRAMING_BYTES - (sizeOf(record) - value.length) - truncationHeadersBytes(value.length);
    return cut(record, Math.max(0, room));
  }

  /** The record with no value left, for a topic that refused even the cut record. */
  public static ProducerRecord<byte[], byte[]> withoutValue(ProducerRecord<byte[], byte[]> record) {
    return cut(record, 0);
  }

  /** True when the record has a value left to drop. */
  public static boolean hasValue(ProducerRecord<byte[], byte[]> record) {
    return record.value() != null && record.value().length > 0;
  }

  private static ProducerRecord<byte[], byte[]> cut(ProducerRecord<byte[], byte[]> record, int keepBytes) {
    byte[] value = record.value();
    RecordHeaders headers = new RecordHeaders();
    String originalSize = Long.toString(value.length);
    for (Header h : record.headers()) {
      if (h.key().equals(KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE)) {
        originalSize = new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
      } else if (!h.key().equals(KafkaHeaders.DLT_VALUE_TRUNCATED)) {
        headers.add(h);
      }
    }
    headers.add(KafkaHeaders.DLT_VALUE_TRUNCATED, Records.utf8("true"));
    headers.add(KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE, Records.utf8(originalSize));
    byte[] kept = Arrays.copyOf(value, Math.min(keepBytes, value.length));
    return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(), kept, headers);
  }

  /** Key, value and headers, in bytes (the framing is counted apart). */
  static int sizeOf(ProducerRecord<byte[], byte[]> record) {
    long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
    for (Header h : record.headers()) {
      size += h.key().length() * 3L + (h.value() == null ? 0 : h.value().length) + 10;
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  private static int truncationHeadersBytes(int originalSize) {
    return KafkaHeaders.DLT_VALUE_TRUNCATED.length() * 3 + 4 + 10
        + KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE.length() * 3 + Integer.toString(originalSize).length() + 10;
  }
}
