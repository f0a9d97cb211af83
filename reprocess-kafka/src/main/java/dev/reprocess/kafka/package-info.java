/**
 * Kafka delivery for Reprocess: a job publishes one event per asset with {@link
 * dev.reprocess.kafka.KafkaEventSink}, and any number of {@link
 * dev.reprocess.kafka.KafkaReprocessWorker}s in one consumer group run the handler, retry
 * failures (in place, or through a retry topic for long backoffs) and send what keeps failing to a
 * dead-letter topic, which {@link dev.reprocess.kafka.DeadLetterReplayer} publishes again once the
 * cause is fixed. {@link dev.reprocess.kafka.KafkaDeadLetterSink} keeps the dead letters of
 * in-process jobs in the same form. {@link dev.reprocess.kafka.KafkaTopics} creates the topics and
 * waits until they can be used.
 *
 * <p>Topics: {@code <events>} (key = asset id, value = the event as JSON, headers {@link
 * dev.reprocess.kafka.KafkaHeaders#JOB}, {@link dev.reprocess.kafka.KafkaHeaders#ATTEMPT}, {@link
 * dev.reprocess.kafka.KafkaHeaders#EVENT_ID}), {@code <events>.retry} (the same plus a not-before
 * time), {@code <events>.dlt} (the same plus the {@code reprocess.dlt.*} headers).
 *
 * <p>Guarantees: at least once. The sink completes an event's stage only when the broker
 * acknowledged it; the worker commits an offset only when every record before it is final. Every
 * class here is thread-safe once built; builders are not.
 */
package dev.reprocess.kafka;
