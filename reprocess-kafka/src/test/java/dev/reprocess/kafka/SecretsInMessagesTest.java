package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import dev.reprocess.kafka.internal.ClientConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client configuration errors name the key and the rule, never a secret's value, in the message or its causes. */
class SecretsInMessagesTest {

  private static final String JAAS_SECRET = "s3cr3t-Pa55";

  @Test
  void aPasswordGivenAsANumberIsNamedNotQuoted() {
    Throwable error = catchThrowable(() -> KafkaDeadLetterSink.builder().topic("dlt").bootstrapServers("localhost:9")
        .kafkaProperties(Map.of("ssl.key.password", 987654321)).build());

    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ssl.key.password").hasMessageContaining("[hidden]");
    assertThat(everything(error)).doesNotContain("987654321");
  }

  @Test
  void aBrokenJaasConfigGivesTheReasonInTheTopMessageWithTheSecretMasked() {
    Throwable error = catchThrowable(() -> KafkaEventSink.builder().topic("events").bootstrapServers("localhost:9")
        .kafkaProperties(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
            // No closing semicolon: a syntax error Kafka finds when it creates the client.
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                + " password=\"" + JAAS_SECRET + "\""))
        .build());

    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("kafkaProperties are invalid: sasl.jaas.config is [hidden]: ")
        .hasMessageContaining("not terminated by semi-colon");
    assertThat(everything(error)).doesNotContain(JAAS_SECRET);
  }

  @Test
  void secretKeysAreRecognizedWhateverTheirCaseAndPrefix() {
    assertThat(List.of("SSL.KEY.PASSWORD", "listener.name.sasl_ssl.plain.sasl.jaas.config", "ssl.keystore.key",
        "sasl.oauthbearer.client.credentials.client.secret", "basic.auth.user.info", "sasl.login.token"))
        .allMatch(ClientConfigs::isSecret);
    assertThat(List.of("ssl.keystore.location", "security.protocol", "bootstrap.servers", "sasl.mechanism"))
        .noneMatch(ClientConfigs::isSecret);
    assertThat(ClientConfigs.scrub("Invalid value 12 for configuration ssl.key.password: Expected a string",
        Map.of("ssl.key.password", 12))).isEqualTo("Invalid value [hidden] for configuration ssl.key.password: Expected a string");
    assertThat(ClientConfigs.scrub("x p4ssw0rd y", Map.of("a.password", "p4ssw0rd", "linger.ms", "p4ss")))
        .isEqualTo("x [hidden] y");
  }

  /** The message, causes and stack trace as a log would print them. */
  private static String everything(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
