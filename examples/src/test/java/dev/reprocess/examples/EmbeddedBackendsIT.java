package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default: servers started by the program keep their data in the embedded directory,
 * so a second run (a new set of server processes) finds the rows and records of the first, on the
 * same ports. Kafka in particular must not format its log directory again.
 */
class EmbeddedBackendsIT {

  @Test
  void aSecondRunRestartsTheServersOnTheDataOfTheFirst(@TempDir Path dir) throws Exception {
    ConnectionOptions options = new ConnectionOptions();
    options.embeddedDir = dir;
    options.cassandraDatacenter = "datacenter1";
    StringWriter output = new StringWriter();
    String topic = "embedded-it";
    String rowValue = UUID.randomUUID().toString();

    try (Backends first = new Backends(options, new PrintWriter(output, true))) {
      first.require(EnumSet.of(Backends.Kind.CASSANDRA, Backends.Kind.KAFKA));
      CqlSession session = first.cassandra();
      session.execute("CREATE KEYSPACE IF NOT EXISTS embedded_it WITH replication ="
          + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS embedded_it.t (k int PRIMARY KEY, v text)");
      session.execute(SimpleStatement.newInstance("INSERT INTO embedded_it.t (k, v) VALUES (1, ?)", rowValue));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", first.kafka()))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.kafka(),
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
        producer.send(new ProducerRecord<>(topic, "k", rowValue)).get();
      }
    }
    Properties portsAfterFirst = properties(dir.resolve("ports.properties"));

    try (Backends second = new Backends(options, new PrintWriter(output, true))) {
      second.require(EnumSet.of(Backends.Kind.CASSANDRA, Backends.Kind.KAFKA));
      Row row = second.cassandra().execute("SELECT v FROM embedded_it.t WHERE k = 1").one();
      assertThat(row).isNotNull();
      assertThat(row.getString(0)).isEqualTo(rowValue);
      assertThat(readAll(second.kafka(), topic)).containsExactly(rowValue);
    }

    assertThat(properties(dir.resolve("ports.properties"))).isEqualTo(portsAfterFirst);
    assertThat(output.toString())
        .contains("starting embedded Cassandra (data in " + dir.resolve("cassandra") + ")")
        .contains("starting embedded Kafka (data in " + dir.resolve("kafka") + ")")
        .contains("stopping embedded servers");
  }

  private static List<String> readAll(String bootstrap, String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  private static Properties properties(Path file) throws Exception {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      p.load(in);
    }
    return p;
  }
}
