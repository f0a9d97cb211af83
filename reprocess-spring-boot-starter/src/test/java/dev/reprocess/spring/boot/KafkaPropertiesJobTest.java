package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.ReprocessJob;
import dev.reprocess.kafka.KafkaDeadLetterSink;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.testing.InMemorySelector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A properties job delivering to Kafka, connected with spring.kafka.*; building the sinks does no I/O (unreachable brokers are fine). */
class KafkaPropertiesJobTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReprocessAutoConfiguration.class))
      .withBean("catalog", InMemorySelector.class, () -> InMemorySelector.ofIds(List.of("a"), 1))
      .withPropertyValues(
                    "reprocess.jobs.to-kafka.selector.bean=catalog",
          "reprocess.jobs.to-kafka.kafka-topic=asset-events",
          "reprocess.jobs.to-kafka.dead-letters.kafka-topic=asset-events-dlq");

  @Test
  void sendsToTheTopicAndDeadLettersToTheirsThroughSpringKafkasConnection() {
    runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1,127.0.0.2:1",
            "spring.kafka.producer.properties.linger.ms=5").run(context -> {
      ReprocessJob job = context.getBean(ReprocessJobRegistry.class).job("to-kafka").orElseThrow();
      assertThat(job.sink()).isInstanceOf(KafkaEventSink.class);
      assertThat(((KafkaEventSink) job.sink()).topic()).isEqualTo("asset-events");
      assertThat(job.deadLetterSink()).isInstanceOf(KafkaDeadLetterSink.class);
      assertThat(job.deadLetterSink().describe()).contains("asset-events-dlq");
    });
  }

  @Test
  void takesTheConnectionFromSpringKafka() {
    runner.run(context -> assertThat(ReprocessAutoConfigurationTest.configFailure(context))
        .hasMessageStartingWith("reprocess.jobs.to-kafka.kafka-topic is 'asset-events': bootstrapServers is 'null'")
        .hasMessageEndingWith("(the connection comes from spring.kafka.bootstrap-servers and spring.kafka.properties.*)"));
    runner.withPropertyValues("spring.kafka.properties.bootstrap.servers=127.0.0.1:1")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void saysWhenReprocessKafkaIsMissing() {
    runner.withClassLoader(new FilteredClassLoader("dev.reprocess.kafka."))
        .run(context -> assertThat(ReprocessAutoConfigurationTest.configFailure(context)).hasMessage(
            "reprocess.jobs.to-kafka.kafka-topic is 'asset-events': it needs reprocess-kafka on the class path"));
  }
}
