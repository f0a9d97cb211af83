package dev.reprocess.kafka.internal;

import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.internal.ClockTimer;
import dev.reprocess.internal.RetryVerdict;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaHeaders;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a failed attempt goes, as {@link RetryVerdict#decide} says: a retry in place after a
 * backoff up to {@code maxInPlaceBackoff} (the lane waits, no thread does), a retry through the
 * retry topic with a not-before header after a longer one, or the dead-letter topic. A record is
 * final once the topic it went to acknowledged it; a failed publish is tried again every {@code
 * publishRetryBackoff} until it succeeds or the partition goes away. A handler's {@link Error} is
 * dead-lettered like any non-retriable failure: a worker does not stop on one event.
 *
 * <p>Thread-safe: called from handler threads, the watchdog and producer callbacks.
 */
final class FailureRouting {

  private static final Logger log = LoggerFactory.getLogger(FailureRouting.class);

  private final WorkerSettings settings;
  private final Producer<byte[], byte[]> producer;
  private final ClockTimer scheduler;
  private final PendingRecords pending;
  private final WorkerCounters counters;
  private final WorkerShutdown shutdown;
  private final long maxInPlaceBackoffNanos;

  FailureRouting(WorkerSettings settings, Producer<byte[], byte[]> producer, ClockTimer scheduler,
      PendingRecords pending, WorkerCounters counters, WorkerShutdown shutdown) {
    this.settings = settings;
    this.producer = producer;
    this.scheduler = scheduler;
    this.pending = pending;
    this.counters = counters;
    this.shutdown = shutdown;
    this.maxInPlaceBackoffNanos = settings.maxInPlaceBackoff().toNanos();
  }

  /**
   * Routes a failed attempt of the item.
   *
   * @param resumeLane puts the item's lane back in the ready queue once an in-place backoff passed
   * @return true when the item waits in place, so its lane's owner lets go of the lane
   */
  boolean route(WorkItem item, Throwable error, Runnable resumeLane) {
    counters.failedAttempts.increment();
    if (item.window.revoked || shutdown.closing) {
      pending.finish(item, WorkItem.DROPPED);
      return false;
    }
    ReprocessEvent event = item.event;
    RetryVerdict verdict = RetryVerdict.decide(settings.retry(), event.attempt(), error, ThreadLocalRandom.current());
    if (verdict.action() != RetryVerdict.Action.RETRY) {
      deadLetter(item, verdict.failure());
      return false;
    }
    if (settings.retryTopic() != null && verdict.backoff().toNanos() > maxInPlaceBackoffNanos) {
      publishRetry(item, event.nextAttempt(), settings.clock().millis() + verdict.backoff().toMillis());
      return false;
    }
    if (log.isTraceEnabled()) {
      log.trace("job '{}': event {} attempt {} failed ({}); retrying in {}", event.jobName(), event.eventId(),
          event.attempt(), DeadLetters.describe(verdict.failure()), verdict.backoff());
    }
    item.event = event.nextAttempt();
    item.state.set(WorkItem.BACKOFF);
    counters.retriedInPlace.increment();
    scheduler.schedule(verdict.backoff().toNanos(), () -> {
      item.state.compareAndSet(WorkItem.BACKOFF, WorkItem.QUEUED);
      resumeLane.run();
    }, () -> pending.finish(item, WorkItem.DROPPED));
    return true;
  }

  /** Sends a record that is not an event (not JSON, missing fields) to the dead-letter topic at once. */
  void deadLetterPoison(WorkItem item, RuntimeException error) {
    counters.poison.increment();
    ConsumerRecord<byte[], byte[]> r = item.record;
    log.warn("worker '{}': record {}-{}@{} is not an event ({}); sending it to '{}'", settings.name(), r.topic(),
        r.partition(), r.offset(), error.getMessage(), settings.deadLetterTopic());
    publish(item, Records.deadLetter(settings.deadLetterTopic(), r.key(), r.value(), r.headers(),
        Records.Failure.of(Records.header(r.headers(), KafkaHeaders.JOB), error, 0, settings.clock().instant()),
        item.origin), counters.deadLettered);
  }

  private void deadLetter(WorkItem item, Throwable error) {
    ReprocessEvent event = item.event;
    if (log.isTraceEnabled()) {
      log.trace("job '{}': event {} failed after {} attempts ({}); dead-lettering it", event.jobName(),
          event.eventId(), event.attempt(), DeadLetters.describe(error));
    }
    publish(item, Records.deadLetter(settings.deadLetterTopic(), item.record.key(), EventJson.toBytes(event),
        Records.eventHeaders(event), Records.Failure.of(event.jobName(), error, event.attempt(), settings.clock().instant()),
        item.origin), counters.deadLettered);
  }

  private void publishRetry(WorkItem item, ReprocessEvent next, long notBeforeMillis) {
    RecordHeaders headers = Records.eventHeaders(next);
    headers.add(KafkaHeaders.RETRY_NOT_BEFORE, Records.utf8(Long.toString(notBeforeMillis)));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_TOPIC, Records.utf8(item.origin.topic()));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_PARTITION, Records.utf8(Integer.toString(item.origin.partition())));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_OFFSET, Records.utf8(Long.toString(item.origin.offset())));
    publish(item, new ProducerRecord<>(settings.retryTopic(), null, Records.utf8(next.assetId()),
        EventJson.toBytes(next), headers), counters.sentToRetryTopic);
  }

  /** Sends and marks the item DONE once acknowledged; tries again until then unless the partition went away. */
  private void publish(WorkItem item, ProducerRecord<byte[], byte[]> record, LongAdder sentCounter) {
    item.state.set(WorkItem.PUBLISHING);
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          sentCounter.increment();
          pending.finish(item, WorkItem.DONE);
        } else {
          publishLater(item, record, sentCounter, error);
        }
      });
    } catch (RuntimeException e) {
      publishLater(item, record, sentCounter, e);
    }
  }

  private void publishLater(WorkItem item, ProducerRecord<byte[], byte[]> record, LongAdder sentCounter, Throwable error) {
    ConsumerRecord<byte[], byte[]> source = item.record;
    if (item.window.revoked || shutdown.stopped) {
      log.warn("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; the record will be read again",
          settings.name(), record.topic(), error.toString(), source.topic(), source.partition(), source.offset());
      pending.finish(item, WorkItem.DROPPED);
      return;
    }
    log.error("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; trying again in {}", settings.name(),
        record.topic(), error.toString(), source.topic(), source.partition(), source.offset(),
        settings.publishRetryBackoff());
    scheduler.schedule(settings.publishRetryBackoff().toNanos(), () -> publish(item, record, sentCounter),
        () -> pending.finish(item, WorkItem.DROPPED));
  }
}
