package dev.reprocess.spring.boot;

import dev.reprocess.config.ConfigException;
import dev.reprocess.kafka.KafkaClientBuilder;
import dev.reprocess.kafka.KafkaDeadLetterSink;
import dev.reprocess.kafka.KafkaEventSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The Kafka sinks of a properties job ({@code kafka-topic}, {@code dead-letters.kafka-topic}),
 * connected as Spring Boot's own Kafka clients are: {@code spring.kafka.bootstrap-servers} (or
 * {@code spring.kafka.producer.bootstrap-servers}), {@code spring.kafka.properties.*} and {@code
 * spring.kafka.producer.properties.*}. Loaded only when reprocess-kafka is on the class path.
 */
final class KafkaSinks {

  private KafkaSinks() {}

  /**
   * Builds the sinks, adds them to {@code made} under their key and points the job's {@code sink}
   * or {@code dead-letters.bean} key at them.
   */
  static void add(String prefix, String topic, String deadLetterTopic, Environment environment,
      Map<String, String> keys, Map<String, Object> made) {
    Binder binder = Binder.get(environment);
    Bindable<List<String>> servers = Bindable.listOf(String.class);
    List<String> serverList = binder.bind("spring.kafka.producer.bootstrap-servers", servers)
        .orElseGet(() -> binder.bind("spring.kafka.bootstrap-servers", servers).orElse(null));
    String bootstrap = serverList == null ? null : String.join(",", serverList);
    Map<String, String> clientProperties = new LinkedHashMap<>();
    Bindable<Map<String, String>> map = Bindable.mapOf(String.class, String.class);
    binder.bind("spring.kafka.properties", map).ifBound(clientProperties::putAll);
    binder.bind("spring.kafka.producer.properties", map).ifBound(clientProperties::putAll);
    if (topic != null) {
      String key = prefix + "kafka-topic";
      made.put(key, build(key, topic, () -> connect(KafkaEventSink.builder().topic(topic), bootstrap, clientProperties).build()));
      keys.put("sink", key);
    }
    if (deadLetterTopic != null) {
      String key = prefix + "dead-letters.kafka-topic";
      made.put(key, build(key, deadLetterTopic,
          () -> connect(KafkaDeadLetterSink.builder().topic(deadLetterTopic), bootstrap, clientProperties).build()));
      keys.put("dead-letters.bean", key);
    }
  }

  private static <B extends KafkaClientBuilder<B>> B connect(B builder, String bootstrap, Map<String, String> properties) {
    return builder.bootstrapServers(bootstrap).kafkaProperties(properties);
  }

  private static Object build(String key, String topic, java.util.function.Supplier<Object> builder) {
    try {
      return builder.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, key + " is '" + topic + "': " + e.getMessage()
          + " (the connection comes from spring.kafka.bootstrap-servers and spring.kafka.properties.*)", e);
    }
  }

}
