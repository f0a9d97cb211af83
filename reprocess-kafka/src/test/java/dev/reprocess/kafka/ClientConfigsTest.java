package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.kafka.internal.ClientConfigs;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigsTest {

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
}
