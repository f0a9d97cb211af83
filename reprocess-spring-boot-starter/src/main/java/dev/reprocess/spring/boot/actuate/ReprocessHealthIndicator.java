package dev.reprocess.spring.boot.actuate;

import dev.reprocess.spring.boot.ReprocessJobRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health contributor {@code reprocess}: always UP, with one detail per job, its status ({@code
 * NOT_STARTED}, {@code RUNNING}, ..., {@code FAILED}) and, for a failed job, the failure. A failed
 * job is reported, not DOWN: it does not stop the application from serving, and a DOWN health
 * would have an orchestrator restart or unroute instances that are fine (a restart would not fix
 * the job either). Alert on the detail, or on the {@code reprocess.events.dead_lettered} meter.
 */
public class ReprocessHealthIndicator implements HealthIndicator {

  private final ReprocessJobRegistry registry;

  public ReprocessHealthIndicator(ReprocessJobRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up();
    for (String name : registry.names()) {
      JobView view = JobView.of(name, registry.runsOnStartup(name), registry.execution(name));
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", view.status());
      if (view.failure() != null) {
        detail.put("failure", view.failure());
      }
      health.withDetail(name, detail);
    }
    return health.build();
  }
}
