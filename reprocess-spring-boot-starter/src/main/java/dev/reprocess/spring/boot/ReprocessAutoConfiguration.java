package dev.reprocess.spring.boot;

import dev.reprocess.ReprocessJob;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Reprocess's jobs in a Spring Boot application: a {@link ReprocessJobRegistry} of the {@link
 * ReprocessJob} beans and of the jobs declared under {@code reprocess.jobs.*}. Runs after the
 * auto-configurations of the objects jobs use (the Cassandra session and checkpoint store, the
 * meter registry), so a properties job gets the application's {@code MeterRegistry} and its one
 * {@code CheckpointStore}. Backs off when the application defines its own registry.
 */
@AutoConfiguration(after = ReprocessCassandraAutoConfiguration.class, afterName = {
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
    "org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration"})
@EnableConfigurationProperties(ReprocessProperties.class)
public class ReprocessAutoConfiguration {

  /** The jobs; properties jobs are built here, so a bad property fails the application's startup. */
  @Bean
  @ConditionalOnMissingBean
  public ReprocessJobRegistry reprocessJobRegistry(ReprocessProperties properties,
      ObjectProvider<ReprocessJob> jobBeans, ListableBeanFactory beans, Environment environment) {
    return PropertiesJobs.registry(properties, jobBeans.orderedStream().toList(), beans, environment);
  }
}
