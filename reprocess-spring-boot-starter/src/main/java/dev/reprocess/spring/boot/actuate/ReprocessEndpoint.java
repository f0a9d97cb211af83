package dev.reprocess.spring.boot.actuate;

import dev.reprocess.spring.boot.ReprocessJobRegistry;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code reprocess} Actuator endpoint: the jobs of the {@link ReprocessJobRegistry} with their
 * status and progress, and operations on one job. Over HTTP ({@code
 * management.endpoints.web.exposure.include=reprocess}):
 *
 * <ul>
 *   <li>{@code GET /actuator/reprocess}: every job, by name ({@link JobView});
 *   <li>{@code GET /actuator/reprocess/{name}}: one job (404 if there is none of that name);
 *   <li>{@code POST /actuator/reprocess/{name}/{operation}}, operation {@code start}, {@code
 *       pause}, {@code resume}, {@code cancel} or {@code rethrottle}: the job after the request (the
 *       requests return at once, see {@link dev.reprocess.JobExecution}). 400 with the reason for an
 *       unknown job or operation, starting a running job, or pausing a job never started. Over HTTP
 *       {@code rethrottle} is refused for now: it needs its limits, and a body parameter on this
 *       operation would make every POST require a JSON content type; from Java, {@link
 *       #operate(String, String, Double, Integer)} rethrottles.
 * </ul>
 *
 * <p>Over JMX the same
 * operations are {@code jobs}, {@code job(name)} and {@code operate(name, operation)}.
 */
@Endpoint(id = "reprocess")
public class ReprocessEndpoint {

  /** The operations {@link #operate} takes. */
  public enum Operation { START, PAUSE, RESUME, CANCEL, RETHROTTLE }

  private final ReprocessJobRegistry registry;

  public ReprocessEndpoint(ReprocessJobRegistry registry) {
    this.registry = registry;
  }

  /** Every job, by name, in the registry's order. */
  @ReadOperation
  public Map<String, JobView> jobs() {
    Map<String, JobView> jobs = new LinkedHashMap<>();
    for (String name : registry.names()) {
      jobs.put(name, view(name));
    }
    return jobs;
  }

  /** One job, or null (404) if there is none of that name. */
  @ReadOperation
  public JobView job(@Selector String name) {
    return registry.job(name).isPresent() ? view(name) : null;
  }

  /**
   * As {@link #operate(String, String, Double, Integer)} without limits (so {@code rethrottle} is
   * refused). The HTTP and JMX operation: it takes no body, so a POST without a content type works.
   */
  @WriteOperation
  public JobView operate(@Selector String name, @Selector String operation) {
    return operate(name, operation, null, null);
  }

  /**
   * Starts, pauses, resumes, cancels or rethrottles a job.
   *
   * @param operation {@code start}, {@code pause}, {@code resume}, {@code cancel} or {@code
   *     rethrottle}, any case
   * @param maxEventsPerSecond for {@code rethrottle}: the new rate limit, 0 for none; null keeps it
   * @param concurrency for {@code rethrottle}: the new limit on events in flight; null keeps it
   * @return the job after the request
   * @throws InvalidEndpointRequestException (400) naming the reason
   */
  public JobView operate(String name, String operation, Double maxEventsPerSecond, Integer concurrency) {
    Operation op = parse(operation);
    boolean limits = maxEventsPerSecond != null || concurrency != null;
    if (limits != (op == Operation.RETHROTTLE)) {
      String message = limits
          ? "maxEventsPerSecond and concurrency only go with the rethrottle operation, not " + operation
          : "rethrottle needs maxEventsPerSecond and/or concurrency";
      throw new InvalidEndpointRequestException(message, message);
    }
    try {
      switch (op) {
        case RETHROTTLE -> registry.rethrottle(name, maxEventsPerSecond, concurrency);
        case START -> registry.start(name);
        case PAUSE -> registry.pause(name);
        case RESUME -> registry.resume(name);
        case CANCEL -> registry.cancel(name);
        default -> throw new IllegalStateException(op.name());
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
    }
    return view(name);
  }

  private static Operation parse(String operation) {
    try {
      return Operation.valueOf(operation.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      String message = "operation '" + operation
          + "' is unknown: it must be start, pause, resume, cancel or rethrottle";
      throw new InvalidEndpointRequestException(message, message);
    }
  }

  private JobView view(String name) {
    return JobView.of(name, registry.runsOnStartup(name), registry.execution(name));
  }
}
