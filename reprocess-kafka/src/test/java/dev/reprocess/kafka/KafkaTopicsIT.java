package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** On a real Kafka: what {@link KafkaTopics#ensureTopics} creates, and what it says of a topic that exists already. */
class KafkaTopicsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(KafkaTopics.class);

  @BeforeEach
  void watch() {
    logs.start();
    logger.setLevel(Level.INFO);
    logger.addAppender(logs);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(logs);
    logger.setLevel(null);
  }

  @Test
  void aMissingTopicIsCreatedAsSpecifiedAndAnExistingOneWithOtherPartitionsIsKeptWithAWarning() {
    String created = KafkaIts.unique("topics-created");
    String existing = KafkaIts.unique("topics-existing");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrap()))) {
      KafkaTopics.ensureTopics(admin, List.of(TopicSpec.of(existing, 2, 1)), TIMEOUT);
      assertThat(warnings()).as("a topic created").isEmpty();

      KafkaTopics.ensureTopics(admin, List.of(TopicSpec.of(created, 3, 1), TopicSpec.of(existing, 6, 1)), TIMEOUT);

      assertThat(partitions(admin, created)).as("the missing topic, created").isEqualTo(3);
      assertThat(partitions(admin, existing)).as("the existing topic, left as it is").isEqualTo(2);
    }
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("'" + existing + "'").contains("exists with 2 partitions, not the 6 asked for")
        .contains("--alter --partitions"));

    logs.list.clear();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrap()))) {
      KafkaTopics.ensureTopics(admin, List.of(TopicSpec.of(created, 3, 1), TopicSpec.of(existing, 2, 1)), TIMEOUT);
    }
    assertThat(warnings()).as("both topics exist as specified").isEmpty();
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static int partitions(Admin admin, String topic) {
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return d.partitions().size();
    } catch (Exception e) {
      throw new AssertionError("describing " + topic, e);
    }
  }
}
