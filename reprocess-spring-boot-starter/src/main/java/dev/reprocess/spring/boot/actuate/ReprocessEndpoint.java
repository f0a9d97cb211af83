package dev.reprocess.spring.boot.actuate;

import dev.reprocess.spring.boot.ReprocessJobRegistry;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code reprocess} Actuator endpoint: the jobs of the {@link ReprocessJobRegistry} with their
 * status and progress, and operations on one job. Over HTTP ({@code
 * management.endpoints.web.exposure.include=reprocess}):
 *
 * <ul>
 *   <li>{@code GET /actuator/reprocess}: every job, by name ({@link JobView});
 *   <li>{@code GET /actuator/reprocess/{name}}: one job; 404 with the reason if there is none of
 *       that name;
 *   <li>{@code POST /actuator/reprocess/{name}/{operation}}, operation {@code start}, {@code
 *       restart} (start with the job's checkpoints deleted, so every shard starts over: the way to
 *       run a completed job again), {@code pause}, {@code resume} or {@code cancel}: the job after
 *       the request (the requests return at once, see {@link dev.reprocess.JobExecution});
 *   <li>{@code POST /actuator/reprocess/{name}/max-events-per-second/{value}} and {@code
 *       .../concurrency/{value}}: changes the running job's rate limit (0 for none) or its limit on
 *       events in flight (1 to the concurrency it was built with), like Elasticsearch's {@code
 *       _rethrottle}; the job after the change.
 * </ul>
 *
 * <p>A refused request answers with a body {@code {"error": "<the reason>"}} (whatever {@code
 * server.error.include-message} says) and is logged at INFO: 404 for an unknown job, 400 for an
 * unknown operation, 409 for an operation the job's state refuses (starting a running job;
 * pausing, resuming or cancelling a job never started or finished).
 *
 * <p>Over JMX the same operations are {@code jobs}, {@code job(name)}, {@code operate(name,
 * operation)} and {@code rethrottle(name, limit, value)}; their replies carry the status and the
 * body.
 */
@Endpoint(id = "reprocess")
public class ReprocessEndpoint {

  /** HTTP 409: the job's state refuses the operation. */
  private static final int STATUS_CONFLICT = 409;

  private static final Logger log = LoggerFactory.getLogger(ReprocessEndpoint.class);

  /** The operations {@link #operate} takes. */
  public enum Operation { START, RESTART, PAUSE, RESUME, CANCEL }

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

  /** One job ({@link JobView}), or 404 with the reason if there is none of that name. */
  @ReadOperation
  public WebEndpointResponse<Object> job(@Selector String name) {
    return respond(name, "read", () -> { });
  }

  /**
   * Starts, restarts, pauses, resumes or cancels a job.
   *
   * @param operation {@code start}, {@code restart}, {@code pause}, {@code resume} or {@code
   *     cancel}, any case
   * @return the job after the request ({@link JobView}, 200), or the reason it was refused (404,
   *     400 or 409, see the class comment)
   */
  @WriteOperation
  public WebEndpointResponse<Object> operate(@Selector String name, @Selector String operation) {
    Operation op;
    try {
      op = Operation.valueOf(operation.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return refuse(name, operation, WebEndpointResponse.STATUS_BAD_REQUEST, "operation '" + operation
          + "' is unknown: it must be start, restart, pause, resume or cancel (to rethrottle: POST "
          + "max-events-per-second/<value> or concurrency/<value> under the job)");
    }
    return respond(name, operation, () -> {
      switch (op) {
        case START -> registry.start(name);
        case RESTART -> registry.restart(name);
        case PAUSE -> registry.pause(name);
        case RESUME -> registry.resume(name);
        case CANCEL -> registry.cancel(name);
        default -> throw new IllegalStateException(op.name());
      }
    });
  }

  /**
   * Changes a running job's limit. The values are in the path, so the request has no body.
   *
   * @param limit {@code max-events-per-second} (a number; 0 removes the limit) or {@code
   *     concurrency} (a whole number, 1 to the concurrency the job was built with)
   * @param value the new value
   * @return the job after the change (200), or the reason it was refused: 404 unknown job, 400 an
   *     unknown limit or a value out of range, 409 a job not running
   */
  @WriteOperation
  public WebEndpointResponse<Object> rethrottle(@Selector String name, @Selector String limit, @Selector String value) {
    String operation = "rethrottle " + limit;
    Double rate = null;
    Integer concurrency = null;
    try {
      switch (limit) {
        case "max-events-per-second" -> rate = Double.valueOf(value);
        case "concurrency" -> concurrency = Integer.valueOf(value);
        default -> {
          return refuse(name, operation, WebEndpointResponse.STATUS_BAD_REQUEST, "limit '" + limit
              + "' is unknown: it must be max-events-per-second or concurrency");
        }
      }
    } catch (NumberFormatException e) {
      return refuse(name, operation, WebEndpointResponse.STATUS_BAD_REQUEST, limit + " is '" + value
          + "': it must be a number" + ("concurrency".equals(limit) ? " without a fraction" : ""));
    }
    Double newRate = rate;
    Integer newConcurrency = concurrency;
    return respond(name, operation, () -> registry.rethrottle(name, newRate, newConcurrency));
  }

  /**
   * Runs one operation on a job and maps its outcome to the reply: the job after it (200), 404
   * for an unknown job, 409 for a state the operation refuses, 400 for any other refusal.
   */
  private WebEndpointResponse<Object> respond(String name, String operation, Runnable request) {
    if (registry.job(name).isEmpty()) {
      return refuse(name, operation, WebEndpointResponse.STATUS_NOT_FOUND,
          "no job named '" + name + "': the jobs are " + registry.names());
    }
    try {
      request.run();
    } catch (IllegalStateException e) {
      return refuse(name, operation, STATUS_CONFLICT, e.getMessage());
    } catch (IllegalArgumentException e) {
      return refuse(name, operation, WebEndpointResponse.STATUS_BAD_REQUEST, e.getMessage());
    }
    return new WebEndpointResponse<>(view(name));
  }

  private static WebEndpointResponse<Object> refuse(String name, String operation, int status, String reason) {
    log.info("reprocess endpoint: {} of job '{}' refused ({}): {}", operation, name, status, reason);
    return new WebEndpointResponse<>(Map.of("error", reason), status);
  }

  private JobView view(String name) {
    return JobView.of(name, registry.runsOnStartup(name), registry.execution(name));
  }
}
