package dev.reprocess.spring.boot;

import dev.reprocess.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad {@code reprocess.*} property at startup into Spring Boot's short failure report:
 * the key, the value and the rule, and what to change, instead of a stack of bean-creation
 * errors.
 */
class ReprocessConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    return new FailureAnalysis("Invalid Reprocess job configuration: " + cause.getMessage(),
        "Update the property " + cause.key() + " in the application's configuration.", cause);
  }
}
