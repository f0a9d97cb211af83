package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
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

  /** The message, causes and stack trace as a log would print them. */
  private static String everything(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
