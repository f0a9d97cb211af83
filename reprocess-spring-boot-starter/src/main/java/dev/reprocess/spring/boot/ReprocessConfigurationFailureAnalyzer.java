package dev.reprocess.spring.boot;

import dev.reprocess.config.ConfigException;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns a bad {@code reprocess.*} property at startup into Spring Boot's short failure report
 * instead of a stack of bean-creation errors: a bad value (the key, the value and the rule, and
 * what to change), or a key under {@code reprocess.*} that is none of the starter's (the key, its
 * value and the valid keys). Ordered first, so that it reports before Boot's generic analyzer of
 * unbound properties; it ignores every other failure.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ReprocessConfigurationFailureAnalyzer implements FailureAnalyzer {

  /** The keys of a job, and of reprocess.job-defaults, for the report of an unknown key. */
  static final String JOB_KEYS = "selector.*, handler, sink, kafka-topic, page-size, shards-in-parallel, max-shards,"
      + " concurrency, max-events-per-second, adaptive-concurrency, limit-algorithm, min-concurrency,"
      + " adaptive-rate, pressure-signal, fail-fast, restart, handler-timeout, max-errors, stop-after-same-failures,"
      + " outage-budget, on-running-elsewhere, lease-time-to-live, accept-changed-selection, checkpoint-store,"
      + " run-on-startup, retry.{max-attempts, initial-backoff, multiplier, max-backoff,"
      + " jitter}, dead-letters.{file, bean, kafka-topic}";

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConfigException bad) {
        return new FailureAnalysis("Invalid Reprocess job configuration: " + bad.getMessage(),
            "Update the property " + bad.key() + " in the application's configuration.", bad);
      }
      if (t instanceof UnboundConfigurationPropertiesException unbound && isReprocess(unbound)) {
        return unknownKeys(unbound);
      }
    }
    return null;
  }

  private static boolean isReprocess(UnboundConfigurationPropertiesException unbound) {
    return unbound.getUnboundProperties().stream()
        .allMatch(p -> p.getName().toString().startsWith("reprocess."));
  }

  private static FailureAnalysis unknownKeys(UnboundConfigurationPropertiesException unbound) {
    String keys = unbound.getUnboundProperties().stream()
        .map(ReprocessConfigurationFailureAnalyzer::describe)
        .collect(Collectors.joining("; "));
    return new FailureAnalysis("Unknown Reprocess properties: " + keys,
        "Correct or remove these keys. The keys of reprocess.jobs.<job>.* and reprocess.job-defaults.*"
            + " are " + JOB_KEYS + "; the other keys are reprocess.cassandra.checkpoint-table,"
            + " reprocess.cassandra.create-checkpoint-table and reprocess.shutdown-timeout.", unbound);
  }

  private static String describe(ConfigurationProperty property) {
    return property.getName() + "=" + property.getValue()
        + (property.getOrigin() != null ? " (" + property.getOrigin() + ")" : "")
        + " is not a Reprocess key";
  }
}
