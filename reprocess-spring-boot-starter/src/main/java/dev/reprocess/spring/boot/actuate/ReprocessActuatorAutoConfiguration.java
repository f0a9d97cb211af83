package dev.reprocess.spring.boot.actuate;

import dev.reprocess.spring.boot.ReprocessAutoConfiguration;
import dev.reprocess.spring.boot.ReprocessJobRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code reprocess} endpoint and health indicator, when Actuator is on the class path. The
 * endpoint is available when exposed ({@code management.endpoints.web.exposure.include=reprocess},
 * or JMX); the health indicator can be turned off with {@code
 * management.health.reprocess.enabled=false}. Both back off for the application's own beans.
 */
@AutoConfiguration(after = ReprocessAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(ReprocessJobRegistry.class)
public class ReprocessActuatorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  public ReprocessEndpoint reprocessEndpoint(ReprocessJobRegistry registry) {
    return new ReprocessEndpoint(registry);
  }

  /** The health indicator, in its own class so that its condition on Actuator's health classes holds. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("reprocess")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "reprocessHealthIndicator")
    public ReprocessHealthIndicator reprocessHealthIndicator(ReprocessJobRegistry registry) {
      return new ReprocessHealthIndicator(registry);
    }
  }
}
