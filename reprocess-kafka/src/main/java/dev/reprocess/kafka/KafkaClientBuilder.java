package dev.reprocess.kafka;

import dev.reprocess.kafka.internal.KafkaConnection;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/**
 * The connection options every builder of this module shares ({@link KafkaEventSink.Builder},
 * {@link KafkaDeadLetterSink.Builder}, {@link DeadLetterReplayer.Builder}, {@link
 * KafkaReprocessWorker.Builder}): where the brokers are, the client properties passed through, and
 * the host's producer. Each setter returns the concrete builder, so calls chain with the builder's
 * own options. Only this module's builders extend it.
 *
 * <p>The connection is {@link #bootstrapServers} and/or {@link #kafkaProperties}: TLS, SASL and any
 * other client setting pass through unchanged to every client the built object creates (producer,
 * consumer, admin client), except the settings Reprocess relies on: a producer stays idempotent
 * with {@code acks=all}, a consumer keeps {@code enable.auto.commit=false}. The checks run in the
 * builder's {@code build()}, before any I/O, and fail with an {@link IllegalArgumentException}
 * naming the option, its value and the rule:
 *
 * <ul>
 *   <li>{@code bootstrapServers is 'null'}: neither {@link #bootstrapServers} nor {@code
 *       bootstrap.servers} in the properties is set, and the built object has to create a client;
 *   <li>{@code kafkaProperties ...}: an entry is null, or Kafka's own parsing rejects a value
 *       (the message is Kafka's, naming the key);
 *   <li>{@code producer is set together with ...}: the two sinks, which only produce, take either
 *       the host's producer or the connection, not both. The worker and the replayer also read, so
 *       they take the host's producer for what they publish plus the connection for their consumer.
 * </ul>
 *
 * <p>Mutable and not thread-safe, like the builders that extend it.
 *
 * @param <SelfT> the concrete builder, returned by every setter
 */
public abstract class KafkaClientBuilder<SelfT extends KafkaClientBuilder<SelfT>> {

  private String bootstrapServers;
  private Map<String, ?> kafkaProperties;
  private Producer<byte[], byte[]> producer;

  KafkaClientBuilder() {}

  /**
   * The brokers to connect to, {@code host:port[,host:port...]}; overrides {@code
   * bootstrap.servers} in {@link #kafkaProperties}. Default none: one of the two must be set
   * unless the built object creates no client.
   */
  public SelfT bootstrapServers(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
    return self();
  }

  /**
   * Client properties passed through to every client the built object creates (security,
   * tuning); copied at {@code build()}, so later changes to the map are not seen. Default none.
   */
  public SelfT kafkaProperties(Map<String, ?> kafkaProperties) {
    this.kafkaProperties = kafkaProperties;
    return self();
  }

  /**
   * The host's producer, used for everything the built object publishes instead of a producer it
   * creates. Never closed by the library (the worker flushes it when it closes). It should be
   * idempotent with {@code acks=all}: a producer the host passes in cannot be checked. Default
   * none: the built object creates its own producer, idempotent with {@code acks=all}.
   */
  public SelfT producer(Producer<byte[], byte[]> producer) {
    this.producer = producer;
    return self();
  }

  /** The connection options as set so far, copied, for {@code build()} to check and use. */
  final KafkaConnection connection() {
    return new KafkaConnection(bootstrapServers, kafkaProperties, producer);
  }

  @SuppressWarnings("unchecked")
  private SelfT self() {
    return (SelfT) this;
  }
}
