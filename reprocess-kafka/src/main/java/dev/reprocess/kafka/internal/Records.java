package dev.reprocess.kafka.internal;

import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.internal.Quote;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Builds and reads the records Reprocess exchanges through Kafka. */
public final class Records {

  private Records() {}

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The last value of a header as a string, or {@code null} when absent. */
  public static String header(Headers headers, String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** A header holding a long, or {@code fallback} when absent or not a number. */
  public static long longHeader(Headers headers, String name, long fallback) {
    String v = header(headers, name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** The headers every event record carries: job, attempt, event id. */
  public static RecordHeaders eventHeaders(ReprocessEvent event) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaHeaders.JOB, utf8(event.jobName()));
    headers.add(KafkaHeaders.ATTEMPT, utf8(Integer.toString(event.attempt())));
    headers.add(KafkaHeaders.EVENT_ID, utf8(event.eventId()));
    return headers;
  }

  /** An event record: key = asset id, value = JSON, headers job, attempt, event id. */
  public static ProducerRecord<byte[], byte[]> eventRecord(String topic, ReprocessEvent event) {
    return new ProducerRecord<>(topic, null, utf8(event.assetId()), EventJson.toBytes(event), eventHeaders(event));
  }

  /** Where an event was first read from, for dead-letter headers. */
  public record Origin(String topic, int partition, long offset) {}

  /** The fields of a dead letter that headers carry. */
  public record Failure(String job, String exceptionClass, String message, String stackTrace, int attempts, Instant failedAt) {

    /** A failure from a throwable, with its stack trace truncated as core's {@link DeadLetters} does. */
    public static Failure of(String job, Throwable t, int attempts, Instant failedAt) {
      return new Failure(job, t.getClass().getName(), DeadLetters.messageOf(t),
          DeadLetters.truncatedStackTrace(t, KafkaHeaders.STACK_TRACE_MAX_CHARS), attempts, failedAt);
    }
  }

  /**
   * A dead-letter record: the key and value as given (the event's JSON, or the original bytes of
   * a record that could not be decoded), the original headers kept, and the {@code
   * reprocess.dlt.*} headers added; the exception message is cut to {@link
   * KafkaHeaders#MESSAGE_MAX_CHARS} characters. See {@link DeadLetterFit} for a value too big to send.
   */
  public static ProducerRecord<byte[], byte[]> deadLetter(
      String topic, byte[] key, byte[] value, Headers original, Failure failure, Origin origin) {
    RecordHeaders headers = new RecordHeaders();
    if (original != null) {
      for (Header h : original) {
        if (!h.key().startsWith(KafkaHeaders.DLT_PREFIX)) {
          headers.add(h);
        }
      }
    }
    if (failure.job() != null) {
      headers.add(KafkaHeaders.DLT_JOB, utf8(failure.job()));
    }
    headers.add(KafkaHeaders.DLT_EXCEPTION_CLASS, utf8(failure.exceptionClass()));
    if (failure.message() != null) {
      headers.add(KafkaHeaders.DLT_EXCEPTION_MESSAGE, utf8(Quote.abbreviate(failure.message(), KafkaHeaders.MESSAGE_MAX_CHARS)));
    }
    if (failure.stackTrace() != null) {
      String st = failure.stackTrace();
      if (st.length() > KafkaHeaders.STACK_TRACE_MAX_CHARS) {
        st = st.substring(0, KafkaHeaders.STACK_TRACE_MAX_CHARS);
      }
      headers.add(KafkaHeaders.DLT_EXCEPTION_STACKTRACE, utf8(st));
    }
    headers.add(KafkaHeaders.DLT_ATTEMPTS, utf8(Integer.toString(failure.attempts())));
    if (origin != null) {
      headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, utf8(origin.topic()));
      headers.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, utf8(Integer.toString(origin.partition())));
      headers.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, utf8(Long.toString(origin.offset())));
    }
    headers.add(KafkaHeaders.DLT_FAILED_AT, utf8(failure.failedAt().toString()));
    return new ProducerRecord<>(topic, null, key, value, headers);
  }
}
