package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

class KafkaJobCompletionTest {

  private static KafkaJobCompletion.Builder valid() {
    return KafkaJobCompletion.builder().bootstrapServers("localhost:1").topic("ev").groupId("g");
  }

  @Test
  void badOptionsAreRefusedNamingTheOptionTheValueAndTheRule() {
    assertThatThrownBy(() -> valid().topic(null).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic is 'null'");
    assertThatThrownBy(() -> valid().groupId(" ").build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupId is ' '").hasMessageContaining("non-blank");
    assertThatThrownBy(() -> valid().pollInterval(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pollInterval is PT0S").hasMessageContaining("positive");
    assertThatThrownBy(() -> valid().outcomesTopic("ev.outcomes").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcomesTopic is 'ev.outcomes' without job");
    assertThatThrownBy(() -> valid().bootstrapServers(null).producer(new MockProducer<>()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publishes nothing");
    assertThatThrownBy(() -> valid().bootstrapServers(null).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrapServers");
  }

  @Test
  void theRetryTopicDefaultsToTheWorkersSuffixAndTheOutcomesTopicSpecIsCompacted() {
    try (KafkaJobCompletion c = valid().build()) {
      assertThat(c.retryTopic()).isEqualTo("ev.retry");
      assertThat(c.groupId()).isEqualTo("g");
    }
    try (KafkaJobCompletion c = valid().retryTopic("ev-later").build()) {
      assertThat(c.retryTopic()).isEqualTo("ev-later");
    }
    TopicSpec spec = KafkaJobCompletion.outcomesTopicSpec("ev", 3);
    assertThat(spec).isEqualTo(new TopicSpec("ev.outcomes", 1, (short) 3, Map.of("cleanup.policy", "compact")));
  }
}
