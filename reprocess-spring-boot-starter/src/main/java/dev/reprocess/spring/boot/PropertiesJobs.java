package dev.reprocess.spring.boot;

import dev.reprocess.ReprocessJob;
import dev.reprocess.config.ConfigException;
import dev.reprocess.config.JobConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Builds the {@link ReprocessJobRegistry}: the {@link ReprocessJob} beans, then each job of {@code
 * reprocess.jobs.*} through {@link JobConfiguration} (one translation from keys to builders, shared
 * with applications without Spring), with the beans as its {@link
 * dev.reprocess.config.ConfigContext}.
 */
final class PropertiesJobs {

  private static final String PREFIX = "reprocess.jobs.";
  private static final String DEFAULTS_PREFIX = "reprocess.job-defaults.";

  private PropertiesJobs() {}

  static ReprocessJobRegistry registry(ReprocessProperties properties, List<ReprocessJob> jobBeans,
      ListableBeanFactory beans, Environment environment) {
    Map<String, ReprocessJob> jobs = new LinkedHashMap<>();
    for (ReprocessJob job : jobBeans) {
      if (jobs.put(job.name(), job) != null) {
        throw new IllegalStateException("two ReprocessJob beans are named '" + job.name()
            + "': job names must be unique, they key checkpoints");
      }
    }
    Set<String> runOnStartup = new LinkedHashSet<>();
    List<AutoCloseable> owned = new ArrayList<>();
    JobProperties defaults = properties.getJobDefaults();
    properties.getJobs().forEach((name, job) -> {
      String prefix = PREFIX + name + ".";
      if (jobs.containsKey(name)) {
        throw new ConfigException(PREFIX + name, PREFIX + name + " declares the job '" + name
            + "', and a ReprocessJob bean has that name: job names must be unique, they key checkpoints");
      }
      Map<String, String> keys = job.toConfiguration(defaults);
      Map<String, Object> made = new LinkedHashMap<>();
      String kafkaTopic = job.getKafkaTopic() != null ? job.getKafkaTopic() : defaults.getKafkaTopic();
      String deadLetterTopic = job.getDeadLetters().getKafkaTopic() != null
          ? job.getDeadLetters().getKafkaTopic() : defaults.getDeadLetters().getKafkaTopic();
      if (kafkaTopic != null || deadLetterTopic != null) {
        ClassLoader loader = beans instanceof ConfigurableBeanFactory factory
            ? factory.getBeanClassLoader() : PropertiesJobs.class.getClassLoader();
        if (!ClassUtils.isPresent("dev.reprocess.kafka.KafkaEventSink", loader)) {
          String key = prefix + (kafkaTopic != null ? "kafka-topic" : "dead-letters.kafka-topic");
          throw new ConfigException(key, key + " is '" + (kafkaTopic != null ? kafkaTopic : deadLetterTopic)
              + "': it needs reprocess-kafka on the class path");
        }
        KafkaSinks.add(prefix, kafkaTopic, deadLetterTopic, environment, keys, made);
        made.values().forEach(sink -> owned.add((AutoCloseable) sink));
      }
      try {
        jobs.put(name, JobConfiguration.build(name, prefix, keys, new BeanFactoryConfigContext(beans, made)));
      } catch (ConfigException e) {
        closeQuietly(owned);
        throw namingTheKeySet(e, prefix, job.toConfiguration(new JobProperties()).keySet());
      } catch (RuntimeException e) {
        closeQuietly(owned);
        throw e;
      }
      if (job.runsOnStartup(defaults)) {
        runOnStartup.add(name);
      }
    });
    return new ReprocessJobRegistry(jobs, runOnStartup, properties.getShutdownTimeout(), owned);
  }

  /**
   * The error with the key the application set: {@code reprocess.job-defaults.<key>} when the
   * failing key came from the defaults, not from the job.
   */
  private static ConfigException namingTheKeySet(ConfigException e, String prefix, Set<String> keysOfTheJob) {
    if (e.key() == null || !e.key().startsWith(prefix)) {
      return e;
    }
    String key = e.key().substring(prefix.length());
    if (keysOfTheJob.contains(key) || keysOfTheJob.stream().anyMatch(k -> k.startsWith(key + "."))) {
      return e;
    }
    String defaultsKey = DEFAULTS_PREFIX + key;
    return new ConfigException(defaultsKey, e.getMessage().replace(e.key(), defaultsKey)
        + " (the default of the job '" + prefix.substring(PREFIX.length(), prefix.length() - 1) + "')", e);
  }

  private static void closeQuietly(List<AutoCloseable> owned) {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception suppressed) {
        // The configuration error being thrown is what the application must see.
      }
    }
  }
}
