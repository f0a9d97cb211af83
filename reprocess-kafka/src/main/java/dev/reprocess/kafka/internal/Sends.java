package dev.reprocess.kafka.internal;

import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sending a record with one completion, whichever way the send ends. */
public final class Sends {

  private Sends() {}

  /**
   * Sends the record and runs {@code completion} once: with {@code null} when the broker
   * acknowledged it, or with the error, whether the producer reports it in its send callback (on
   * its I/O thread: a refusal, a timeout) or throws it from {@code send} itself (on this thread: a
   * closed producer, an interrupt). {@code completion} must neither block nor throw.
   */
  public static void withCompletion(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record,
      Consumer<Exception> completion) {
    try {
      producer.send(record, (metadata, error) -> completion.accept(error));
    } catch (RuntimeException e) {
      completion.accept(e);
    }
  }

  /**
   * Whether a send failed because the brokers cannot be reached or are not ready (a timeout waiting
   * for metadata or for the acknowledgement, a network error or disconnect, no leader yet), rather
   * than because of the record: the caller waits for the brokers instead of failing the record.
   */
  public static boolean isBackendUnavailable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.TimeoutException
          || t instanceof org.apache.kafka.common.errors.NetworkException
          || t instanceof org.apache.kafka.common.errors.DisconnectException
          || t instanceof org.apache.kafka.common.errors.LeaderNotAvailableException
          || t instanceof org.apache.kafka.common.errors.NotEnoughReplicasException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
