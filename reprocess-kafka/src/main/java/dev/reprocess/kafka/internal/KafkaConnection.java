package dev.reprocess.kafka.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection options of one built Kafka client of this module, checked in one place for all
 * of its builders: bootstrap servers, the host's client properties and the host's producer. Gives
 * the configurations of the clients to create (see {@link ClientConfigs}), each already accepted
 * by Kafka's own parser, and the producer to use.
 *
 * <p>Immutable; the properties are copied when it is made. Every check throws an {@link
 * IllegalArgumentException} naming the option, its value and the rule.
 */
public final class KafkaConnection {

  private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);

  private final String bootstrapServers;
  private final Map<String, ?> kafkaProperties;
  private final Producer<byte[], byte[]> hostProducer;

  /**
   * @param bootstrapServers {@code host:port[,...]}, or {@code null} when the properties hold
   *     {@code bootstrap.servers} or no client is created
   * @param kafkaProperties the host's client properties, or {@code null}; copied
   * @param hostProducer the host's producer, or {@code null}
   */
  public KafkaConnection(String bootstrapServers, Map<String, ?> kafkaProperties, Producer<byte[], byte[]> hostProducer) {
    this.bootstrapServers = bootstrapServers;
    this.kafkaProperties = kafkaProperties == null ? null : Collections.unmodifiableMap(new HashMap<>(kafkaProperties));
    this.hostProducer = hostProducer;
  }

  /** The host's producer, or {@code null} when the client creates its own. */
  public Producer<byte[], byte[]> hostProducer() {
    return hostProducer;
  }

  /**
   * The producer of a client that only produces (the sinks): the host's, or one created from the
   * connection (see {@link #producerConfig}); the two exclude each other. Logs which at INFO, with
   * the created producer's configuration {@linkplain ClientConfigs#masked masked}.
   *
   * @param owner what the producer is for, for the log: {@code kafka sink: topic 'events'}
   * @throws IllegalArgumentException when both the host's producer and connection settings are
   *     set, or as {@link #producerConfig}
   */
  public ProducerHandle soleProducer(Duration maxBlock, String clientId, String owner) {
    requireProducerOrSettings();
    if (hostProducer != null) {
      log.info("{}: the host's producer", owner);
      return new ProducerHandle(hostProducer, false);
    }
    Map<String, Object> config = producerConfig(maxBlock, clientId);
    ProducerHandle created = producer(config);
    log.info("{}: producer config {}", owner, ClientConfigs.masked(config));
    return created;
  }

  private void requireProducerOrSettings() {
    if (hostProducer == null) {
      return;
    }
    List<String> settings = new ArrayList<>();
    if (bootstrapServers != null) {
      settings.add("bootstrapServers '" + bootstrapServers + "'");
    }
    if (kafkaProperties != null) {
      TreeSet<String> keys = new TreeSet<>();
      kafkaProperties.keySet().forEach(k -> keys.add(String.valueOf(k)));
      settings.add("kafkaProperties with keys " + keys);
    }
    if (!settings.isEmpty()) {
      throw new IllegalArgumentException("producer is set together with " + String.join(" and ", settings)
          + ": give either the host's producer or the connection settings (bootstrapServers/kafkaProperties), not both");
    }
  }

  /**
   * The configuration of a producer the client creates: see {@link ClientConfigs#producer}.
   *
   * @throws IllegalArgumentException when bootstrap servers are missing, a property is null, the
   *     properties break a rule of {@link ClientConfigs#producer}, or Kafka rejects a value
   */
  public Map<String, Object> producerConfig(Duration maxBlock, String clientId) {
    Map<String, Object> config = ClientConfigs.producer(base(), maxBlock, clientId);
    created(config, () -> new ProducerConfig(config));
    return config;
  }

  /**
   * The configuration of a consumer the client creates: see {@link ClientConfigs#consumer}.
   *
   * @throws IllegalArgumentException as {@link #producerConfig}, for the consumer's rules
   */
  public Map<String, Object> consumerConfig(String groupId, Duration apiTimeout, String clientId) {
    Map<String, Object> config = ClientConfigs.consumer(base(), groupId, apiTimeout, clientId);
    created(config, () -> new ConsumerConfig(config));
    return config;
  }

  /**
   * The configuration of an admin client: see {@link ClientConfigs#admin}.
   *
   * @throws IllegalArgumentException when bootstrap servers are missing or a property is null
   */
  public Map<String, Object> adminConfig(Duration apiTimeout, String clientId) {
    return ClientConfigs.admin(base(), apiTimeout, clientId);
  }

  /**
   * The producer to publish with: the host's, or a new one from {@code producerConfig} (see
   * {@link #producerConfig}) that the caller owns and closes.
   *
   * @throws IllegalArgumentException if Kafka rejects the configuration
   */
  public ProducerHandle producer(Map<String, Object> producerConfig) {
    if (hostProducer != null) {
      return new ProducerHandle(hostProducer, false);
    }
    return new ProducerHandle(created(producerConfig, () -> new KafkaProducer<byte[], byte[]>(producerConfig)), true);
  }

  private Map<String, Object> base() {
    return ClientConfigs.base(kafkaProperties, bootstrapServers);
  }

  /**
   * Runs Kafka's own parsing of a configuration, or the constructor of a client, turning its
   * rejection into the builders' error (see {@link ClientConfigs#invalid}: the reason from the cause
   * chain, no secret's value).
   *
   * @throws IllegalArgumentException if Kafka rejects the configuration
   */
  public static <T> T created(Map<String, ?> config, Supplier<T> create) {
    try {
      return create.get();
    } catch (KafkaException e) { // ConfigException included
      throw ClientConfigs.invalid(e, config);
    }
  }
}
