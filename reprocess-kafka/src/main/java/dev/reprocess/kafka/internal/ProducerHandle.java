package dev.reprocess.kafka.internal;

import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;

/**
 * A producer and who owns it: one the library created (closed with the object that uses it) or
 * the host's (never closed by the library).
 *
 * @param producer the producer to publish with
 * @param owned true when the library created it
 */
public record ProducerHandle(Producer<byte[], byte[]> producer, boolean owned) {

  /** Closes the producer, waiting up to {@code timeout}, if the library owns it; leaves the host's open. */
  public void release(Duration timeout) {
    if (owned) {
      producer.close(timeout);
    }
  }
}
