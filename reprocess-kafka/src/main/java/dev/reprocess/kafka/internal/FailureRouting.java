package dev.reprocess.kafka.internal;

import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.internal.ClockTimer;
import dev.reprocess.internal.Quote;
import dev.reprocess.internal.RetryVerdict;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaHeaders;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a failed attempt goes, as {@link RetryVerdict#decide} says: a retry in place after a
 * backoff up to {@code maxInPlaceBackoff} (the lane waits, no thread does), a retry through the
 * retry topic with a not-before header after a longer one, or the dead-letter topic. A record is
 * final once the topic it went to acknowledged it.
 *
 * <p>A dead letter too big for the dead-letter topic is sent with its value cut (see {@link
 * DeadLetterFit}). A publish that fails for a retriable reason (a Kafka {@code
 * RetriableException}: broker down, no leader, timeout) is tried again every {@code
 * publishRetryBackoff} until it succeeds or the partition goes away. One that fails for a
 * non-retriable reason never blocks the partition: a retry-topic record goes to the dead-letter
 * topic instead; a dead letter refused as too large is sent again without its value; any other
 * non-retriable failure (authorization, invalid topic...) is tried {@value
 * #MAX_NON_RETRIABLE_PUBLISH_ATTEMPTS} times in all, then the record is skipped, logged at ERROR
 * with the reason and counted in {@code WorkerStats.deadLetterFailed}. A handler's {@link Error}
 * is dead-lettered like any non-retriable failure: a worker does not stop on one event.
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
  /** Attempts of a publish that fails for a non-retriable reason before its record is skipped: {@value}. */
  static final int MAX_NON_RETRIABLE_PUBLISH_ATTEMPTS = 3;

  private final long maxInPlaceBackoffNanos;
  private final int deadLetterMaxBytes;

  /**
   * @param deadLetterMaxBytes the largest record the dead-letter topic and the producer accept (the
   *     smaller of the topic's {@code max.message.bytes} and the producer's {@code max.request.size})
   */
  FailureRouting(WorkerSettings settings, Producer<byte[], byte[]> producer, ClockTimer scheduler,
      PendingRecords pending, WorkerCounters counters, WorkerShutdown shutdown, int deadLetterMaxBytes) {
    this.deadLetterMaxBytes = deadLetterMaxBytes;
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
        r.partition(), r.offset(), Quote.abbreviate(error.getMessage()), settings.deadLetterTopic());
    publishDeadLetter(item, Records.deadLetter(settings.deadLetterTopic(), r.key(), r.value(), r.headers(),
        Records.Failure.of(Records.header(r.headers(), KafkaHeaders.JOB), error, 0, settings.clock().instant()),
        item.origin));
  }

  private void deadLetter(WorkItem item, Throwable error) {
    ReprocessEvent event = item.event;
    if (log.isTraceEnabled()) {
      log.trace("job '{}': event {} failed after {} attempts ({}); dead-lettering it", event.jobName(),
          event.eventId(), event.attempt(), DeadLetters.describe(error));
    }
    publishDeadLetter(item, Records.deadLetter(settings.deadLetterTopic(), item.record.key(), EventJson.toBytes(event),
        Records.eventHeaders(event), Records.Failure.of(event.jobName(), error, event.attempt(), settings.clock().instant()),
        item.origin));
  }

  private void publishDeadLetter(WorkItem item, ProducerRecord<byte[], byte[]> record) {
    ProducerRecord<byte[], byte[]> fitted = DeadLetterFit.fit(record, deadLetterMaxBytes);
    if (fitted != record) {
      ConsumerRecord<byte[], byte[]> r = item.record;
      log.warn("worker '{}': dead letter of {}-{}@{} is {} bytes, more than '{}' takes ({} bytes); sending it with its"
          + " value cut to {} bytes", settings.name(), r.topic(), r.partition(), r.offset(), record.value().length,
          record.topic(), deadLetterMaxBytes, fitted.value().length);
    }
    publish(item, fitted, counters.deadLettered, 1);
  }

  private void publishRetry(WorkItem item, ReprocessEvent next, long notBeforeMillis) {
    RecordHeaders headers = Records.eventHeaders(next);
    headers.add(KafkaHeaders.RETRY_NOT_BEFORE, Records.utf8(Long.toString(notBeforeMillis)));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_TOPIC, Records.utf8(item.origin.topic()));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_PARTITION, Records.utf8(Integer.toString(item.origin.partition())));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_OFFSET, Records.utf8(Long.toString(item.origin.offset())));
    publish(item, new ProducerRecord<>(settings.retryTopic(), null, Records.utf8(next.assetId()),
        EventJson.toBytes(next), headers), counters.sentToRetryTopic, 1);
  }

  /** Sends and marks the item DONE once acknowledged; on a failure see the class comment. */
  private void publish(WorkItem item, ProducerRecord<byte[], byte[]> record, WorkerCounters.Count sentCounter,
      int attempt) {
    item.state.set(WorkItem.PUBLISHING);
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          sentCounter.increment();
          item.outcome = record.topic().equals(settings.retryTopic()) ? FinalOutcome.FORWARDED_TO_RETRY
              : FinalOutcome.DEAD_LETTERED;
          pending.finish(item, WorkItem.DONE);
        } else {
          publishFailed(item, record, sentCounter, attempt, error);
        }
      });
    } catch (RuntimeException e) {
      publishFailed(item, record, sentCounter, attempt, e);
    }
  }

  private void publishFailed(WorkItem item, ProducerRecord<byte[], byte[]> record, WorkerCounters.Count sentCounter,
      int attempt, Throwable error) {
    ConsumerRecord<byte[], byte[]> source = item.record;
    if (item.window.revoked || shutdown.stopped) {
      log.warn("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; the record will be read again",
          settings.name(), record.topic(), error.toString(), source.topic(), source.partition(), source.offset());
      pending.finish(item, WorkItem.DROPPED);
      return;
    }
    if (error instanceof RetriableException) {
      publishLater(item, record, sentCounter, attempt, error);
    } else if (record.topic().equals(settings.retryTopic())) {
      log.warn("worker '{}': the retry topic '{}' refused {}-{}@{} ({}); dead-lettering it instead", settings.name(),
          record.topic(), source.topic(), source.partition(), source.offset(), error.toString());
      deadLetter(item, error);
    } else if (error instanceof RecordTooLargeException && DeadLetterFit.hasValue(record)) {
      log.warn("worker '{}': '{}' refused the dead letter of {}-{}@{} as too large ({}); sending it without its value",
          settings.name(), record.topic(), source.topic(), source.partition(), source.offset(), error.toString());
      publish(item, DeadLetterFit.withoutValue(record), sentCounter, attempt + 1);
    } else if (attempt < MAX_NON_RETRIABLE_PUBLISH_ATTEMPTS) {
      publishLater(item, record, sentCounter, attempt, error);
    } else {
      counters.deadLetterFailed.increment();
      log.error("worker '{}': publishing to '{}' failed {} times for a reason that does not pass with time ({}); record"
          + " {}-{}@{} is SKIPPED, not dead-lettered, so its partition moves on", settings.name(), record.topic(), attempt,
          error.toString(), source.topic(), source.partition(), source.offset());
      item.outcome = FinalOutcome.DEAD_LETTER_FAILED;
      pending.finish(item, WorkItem.DONE);
    }
  }

  private void publishLater(WorkItem item, ProducerRecord<byte[], byte[]> record, WorkerCounters.Count sentCounter,
      int attempt, Throwable error) {
    ConsumerRecord<byte[], byte[]> source = item.record;
    log.error("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; trying again in {}", settings.name(),
        record.topic(), error.toString(), source.topic(), source.partition(), source.offset(),
        settings.publishRetryBackoff());
    int next = error instanceof RetriableException ? attempt : attempt + 1;
    scheduler.schedule(settings.publishRetryBackoff().toNanos(), () -> publish(item, record, sentCounter, next),
        () -> pending.finish(item, WorkItem.DROPPED));
  }
}
