package dev.reprocess.kafka.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the configurations of the Kafka clients Reprocess creates, from the host's properties
 * (TLS, SASL and any other client setting pass through unchanged) plus the settings Reprocess
 * needs, and masks secrets for logs.
 */
public final class ClientConfigs {

  private ClientConfigs() {}

  /**
   * Copies the host's properties, sets {@code bootstrap.servers} when given, and checks that
   * bootstrap servers are set.
   *
   * @throws IllegalArgumentException naming the option when bootstrap servers are missing
   */
  public static Map<String, Object> base(Map<String, ?> hostProperties, String bootstrapServers) {
    Map<String, Object> config = new TreeMap<>();
    if (hostProperties != null) {
      hostProperties.forEach((k, v) -> {
        if (k == null || v == null) {
          throw new IllegalArgumentException(
              "kafkaProperties has a null key or value (" + k + "=" + v + "): every entry must be set");
        }
        config.put(k, v);
      });
    }
    if (bootstrapServers != null) {
      config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    Object servers = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null || String.valueOf(servers).isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers is '" + servers + "': set bootstrapServers(...) or bootstrap.servers in the"
              + " Kafka properties (host:port[,host:port...])");
    }
    return config;
  }

  /** Default {@code compression.type} of the producers the library creates: {@value}. */
  public static final String DEFAULT_COMPRESSION = "lz4";
  /** Default {@code batch.size} of the producers the library creates, in bytes: {@value} (64 KiB). */
  public static final int DEFAULT_BATCH_SIZE = 65_536;

  /**
   * A producer configuration: idempotent, {@code acks=all}, byte-array serializers, a bounded
   * {@code max.block.ms}; unless the host's properties set them, {@code compression.type} {@value
   * #DEFAULT_COMPRESSION} and {@code batch.size} {@value #DEFAULT_BATCH_SIZE} (chosen from the
   * benchmark's measurements; {@code linger.ms} keeps Kafka's default).
   *
   * @throws IllegalArgumentException if the host's properties ask for {@code acks} other than
   *     {@code all}, or for a non-idempotent producer
   */
  public static Map<String, Object> producer(Map<String, Object> base, Duration maxBlock, String clientId) {
    Map<String, Object> config = new TreeMap<>(base);
    Object acks = config.get(ProducerConfig.ACKS_CONFIG);
    if (acks != null && !"all".equalsIgnoreCase(String.valueOf(acks)) && !"-1".equals(String.valueOf(acks))) {
      throw new IllegalArgumentException(
          "acks is '" + acks + "': it must be 'all' (the producer is idempotent and waits for every in-sync replica)");
    }
    Object idempotence = config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
    if (idempotence != null && !"true".equalsIgnoreCase(String.valueOf(idempotence))) {
      throw new IllegalArgumentException(
          "enable.idempotence is '" + idempotence + "': it must be true (retried sends must not duplicate events)");
    }
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, DEFAULT_COMPRESSION);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, DEFAULT_BATCH_SIZE);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return config;
  }

  /**
   * A consumer configuration: the group, manual commits, byte-array deserializers, reading from the
   * earliest offset when the group has none, and the cooperative sticky assignor (fewer partitions
   * move on a rebalance) unless the host chose an assignor or the {@code consumer} group protocol.
   *
   * @throws IllegalArgumentException if the host's properties enable auto-commit
   */
  public static Map<String, Object> consumer(Map<String, Object> base, String groupId, Duration apiTimeout, String clientId) {
    Map<String, Object> config = new TreeMap<>(base);
    Object autoCommit = config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    if (autoCommit != null && !"false".equalsIgnoreCase(String.valueOf(autoCommit))) {
      throw new IllegalArgumentException(
          "enable.auto.commit is '" + autoCommit + "': it must be false (the worker commits offsets once outcomes are final)");
    }
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (groupId != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) apiTimeout.toMillis());
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    Object protocol = config.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
    boolean classic = protocol == null || "classic".equalsIgnoreCase(String.valueOf(protocol));
    if (classic && groupId != null) {
      config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    }
    return config;
  }

  /** An admin configuration whose every call is bounded by {@code apiTimeout}. */
  public static Map<String, Object> admin(Map<String, Object> base, Duration apiTimeout, String clientId) {
    Map<String, Object> config = new TreeMap<>();
    // Only the keys the admin client knows (plus security ones), so it does not warn about the rest.
    for (Map.Entry<String, Object> e : base.entrySet()) {
      if (AdminClientConfig.configNames().contains(e.getKey())) {
        config.put(e.getKey(), e.getValue());
      }
    }
    int ms = (int) Math.min(Integer.MAX_VALUE, apiTimeout.toMillis());
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
    config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return config;
  }

  /**
   * The configuration as it may be logged: values of every {@linkplain #isSecret secret} key are
   * replaced by {@code [hidden]}.
   */
  public static Map<String, String> masked(Map<String, ?> config) {
    Map<String, String> out = new TreeMap<>();
    config.forEach((k, v) -> out.put(k, isSecret(k) ? "[hidden]" : String.valueOf(v)));
    return out;
  }

  /**
   * True for keys whose values must never be logged, compared ignoring case: every key containing
   * {@code jaas}, {@code password}, {@code secret}, {@code token}, {@code credential} or {@code
   * user.info}, and {@code ssl.keystore.key} (a PEM private key).
   */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("jaas")
        || k.equals("ssl.keystore.key")
        || k.contains("password")
        || k.contains("secret")
        || k.contains("token")
        || k.contains("credential")
        || k.contains("user.info");
  }

  private static final Pattern KAFKA_INVALID_VALUE =
      Pattern.compile("Invalid value (.*?) for configuration (\\S+?)(:.*)?", Pattern.DOTALL);
  private static final Pattern JAAS_OPTION = Pattern.compile("([\\w.-]+)\\s*=\\s*\"([^\"]*)\"");
  /** Secret values shorter than this are only hidden where Kafka's message names their key. */
  private static final int MIN_REPLACED_SECRET_CHARS = 4;

  /**
   * Kafka's rejection of a configuration (a {@code ConfigException} from its parser, or a {@code
   * KafkaException} from a client constructor, such as a JAAS syntax error) as the builders' error:
   * {@code kafkaProperties are invalid: <reason>}, the reason being the deepest cause's message (so
   * "Failed to construct kafka producer" does not hide it), naming {@code sasl.jaas.config} when the
   * JAAS configuration is at fault. No secret's value appears in the message (see {@link #scrub});
   * Kafka's exception is chained as the cause only when no message in its chain holds one.
   */
  public static IllegalArgumentException invalid(RuntimeException kafkaError, Map<String, ?> config) {
    Throwable root = kafkaError;
    boolean secretInChain = false;
    boolean jaas = false;
    for (Throwable t = kafkaError; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null) {
        root = t;
        secretInChain |= !scrub(m, config).equals(m);
        jaas |= m.toLowerCase(Locale.ROOT).contains("jaas");
      }
    }
    String reason = scrub(root.getMessage(), config);
    if (root != kafkaError) {
      reason = reason + " (" + scrub(kafkaError.getMessage(), config) + ")";
    }
    if (jaas && config.containsKey("sasl.jaas.config") && !reason.contains("sasl.jaas.config")) {
      reason = "sasl.jaas.config is [hidden]: " + reason;
    }
    return new IllegalArgumentException("kafkaProperties are invalid: " + reason, secretInChain ? null : kafkaError);
  }

  /**
   * The message with every secret's value replaced by {@code [hidden]}: the value in Kafka's {@code
   * Invalid value V for configuration K} when K is a {@linkplain #isSecret secret} key, every
   * occurrence of a secret key's value (of 4 characters or more), and every secret option ({@code
   * password="..."}) of the JAAS configuration.
   */
  public static String scrub(String message, Map<String, ?> config) {
    if (message == null) {
      return null;
    }
    String out = message;
    Matcher m = KAFKA_INVALID_VALUE.matcher(out);
    if (m.matches() && isSecret(m.group(2))) {
      out = "Invalid value [hidden] for configuration " + m.group(2) + (m.group(3) == null ? "" : m.group(3));
    }
    for (Map.Entry<String, ?> e : config.entrySet()) {
      if (!isSecret(e.getKey()) || e.getValue() == null) {
        continue;
      }
      String value = String.valueOf(e.getValue());
      Matcher options = JAAS_OPTION.matcher(value);
      while (options.find()) {
        if (isSecret(options.group(1)) && !options.group(2).isEmpty()) {
          out = out.replace(options.group(2), "[hidden]");
        }
      }
      if (value.length() >= MIN_REPLACED_SECRET_CHARS) {
        out = out.replace(value, "[hidden]");
      }
    }
    return out;
  }
}
