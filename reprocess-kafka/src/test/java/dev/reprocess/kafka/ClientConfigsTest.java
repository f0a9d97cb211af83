package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.kafka.internal.ClientConfigs;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ProducerHandle;
import dev.reprocess.kafka.internal.Sends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class ClientConfigsTest {

  @Test
  void producersCompressWithLz4InBatchesOf64KibUnlessTheHostSaysOtherwise() {
    Map<String, Object> defaults = ClientConfigs.producer(ClientConfigs.base(Map.of(), "h:9092"),
        Duration.ofSeconds(5), "c");
    Map<String, Object> hosts = ClientConfigs.producer(ClientConfigs.base(Map.of(
        "compression.type", "zstd", "batch.size", "16384"), "h:9092"), Duration.ofSeconds(5), "c");

    assertThat(defaults).containsEntry("compression.type", "lz4").containsEntry("batch.size", 65_536);
    assertThat(hosts).containsEntry("compression.type", "zstd").containsEntry("batch.size", "16384");
  }

  @Test
  void secretsAreHiddenAndTheRestIsLoggedAsIs() {
    Map<String, Object> config = ClientConfigs.producer(ClientConfigs.base(Map.of(
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";",
        "ssl.truststore.password", "trust-me",
        "ssl.key.password", "k3y",
        "ssl.keystore.location", "/etc/ks.jks"), "h:9093"), Duration.ofSeconds(5), "c");

    Map<String, String> masked = ClientConfigs.masked(config);

    assertThat(masked).containsEntry("sasl.jaas.config", "[hidden]")
        .containsEntry("ssl.truststore.password", "[hidden]")
        .containsEntry("ssl.key.password", "[hidden]")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.keystore.location", "/etc/ks.jks")
        .containsEntry("bootstrap.servers", "h:9093")
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("max.block.ms", "5000");
    assertThat(masked.toString()).doesNotContain("p4ss", "trust-me", "k3y");
    // Secrets still reach the client itself.
    assertThat(config.get("ssl.key.password")).isEqualTo("k3y");
  }

  @Test
  void consumerKeepsCommitsManual() {
    Map<String, Object> config = ClientConfigs.consumer(ClientConfigs.base(Map.of(), "h:1"), "g", Duration.ofSeconds(3), "c");
    assertThat(config).containsEntry("enable.auto.commit", false).containsEntry("group.id", "g")
        .containsEntry("auto.offset.reset", "earliest").containsEntry("default.api.timeout.ms", 3000);
    assertThatThrownBy(() -> ClientConfigs.consumer(ClientConfigs.base(Map.of("enable.auto.commit", "true"), "h:1"),
        "g", Duration.ofSeconds(3), "c"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("enable.auto.commit is 'true'");
  }

  @Test
  void aConnectionCopiesTheHostsPropertiesWhenMade() {
    Map<String, Object> properties = new HashMap<>(Map.of("bootstrap.servers", "h:1"));
    KafkaConnection connection = new KafkaConnection(null, properties, null);
    properties.put("bootstrap.servers", "changed:2");
    properties.put("acks", "0");
    assertThat(connection.producerConfig(Duration.ofSeconds(1), "c")).containsEntry("bootstrap.servers", "h:1")
        .containsEntry("acks", "all");
    assertThat(connection.adminConfig(Duration.ofSeconds(1), "c")).containsEntry("bootstrap.servers", "h:1");
  }

  @Test
  void theLibraryClosesOnlyTheProducerItCreated() {
    MockProducer<byte[], byte[]> hosts = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    ProducerHandle handle = new KafkaConnection("h:1", null, hosts).producer(Map.of());
    assertThat(handle.producer()).isSameAs(hosts);
    handle.release(Duration.ofSeconds(1));
    assertThat(hosts.closed()).isFalse();

    KafkaConnection own = new KafkaConnection("127.0.0.1:1", null, null);
    ProducerHandle created = own.producer(own.producerConfig(Duration.ofMillis(100), "c"));
    assertThat(created.owned()).isTrue();
    created.release(Duration.ofSeconds(1));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("t", new byte[0]);
    assertThatThrownBy(() -> created.producer().send(record)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aSendCompletesOnceWhetherTheBrokerRefusesOrTheSendThrows() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    List<Exception> completions = new ArrayList<>();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("t", new byte[0]);

    Sends.withCompletion(producer, record, completions::add);
    Sends.withCompletion(producer, record, completions::add);
    assertThat(completions).isEmpty();
    producer.completeNext();
    producer.errorNext(new NotEnoughReplicasException("only 1 in sync"));
    assertThat(completions).hasSize(2);
    assertThat(completions.get(0)).isNull();
    assertThat(completions.get(1)).isInstanceOf(NotEnoughReplicasException.class);

    producer.close();
    Sends.withCompletion(producer, record, completions::add);
    assertThat(completions).hasSize(3);
    assertThat(completions.get(2)).isInstanceOf(IllegalStateException.class);
  }
}
