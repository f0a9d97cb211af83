package dev.reprocess.kafka.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a worker's {@link JobOutcomeCounts} to the outcomes topic, one {@link OutcomeRecord}
 * per job whose counts changed, and waits for the acknowledgement: {@link PartitionOffsets} calls
 * it before each commit, so the counts of every committed record are on the topic before its
 * offset is.
 *
 * <p>Poll thread only.
 */
final class OutcomeReports {

  private static final Logger log = LoggerFactory.getLogger(OutcomeReports.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String worker;
  private final Clock clock;
  private final JobOutcomeCounts counts = new JobOutcomeCounts();

  OutcomeReports(Producer<byte[], byte[]> producer, String topic, String workerName, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.worker = workerName + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.clock = clock;
  }

  /** Counts a record that left its window final. */
  void count(WorkItem item) {
    counts.count(item);
  }

  /**
   * Publishes the counts that changed and waits for the topic to acknowledge them.
   *
   * @return true when nothing changed or every record was acknowledged within {@code timeout};
   *     false (logged at WARN) otherwise: the counts stay changed and are sent again next time
   */
  boolean publish(Duration timeout) {
    Map<String, long[]> changed = counts.changed();
    if (changed.isEmpty()) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      long now = clock.millis();
      changed.forEach((job, c) -> {
        OutcomeRecord r = new OutcomeRecord(job, worker, c[JobOutcomeCounts.SUCCEEDED], c[JobOutcomeCounts.SKIPPED],
            c[JobOutcomeCounts.DEAD_LETTERED], c[JobOutcomeCounts.DEAD_LETTER_FAILED], now);
        sent.add(producer.send(new ProducerRecord<>(topic, r.key(), r.value())));
      });
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      counts.reported(changed.keySet());
      return true;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("worker '{}': publishing its outcome counts to '{}' failed ({}); the commit waits for the next try",
          worker, topic, e instanceof ExecutionException ? e.getCause().toString() : e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
