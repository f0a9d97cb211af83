package dev.reprocess;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BatchEventHandler} did with each event of a batch: an event marked {@link #skipped}
 * or {@link #failed}, or else succeeded. Events are told apart by {@link ReprocessEvent#eventId()}.
 * Built by one thread (the handler's) and read by the job after the call: not thread-safe.
 *
 * <pre>{@code
 * BatchResult result = BatchResult.allSucceeded();
 * for (BulkItemResponse item : bulk.items()) {
 *   if (item.failed()) {
 *     result.failed(events.get(item.index()), new RetriableException(item.failureMessage()));
 *   }
 * }
 * return result;
 * }</pre>
 */
public final class BatchResult {
  private final Map<String, Outcome> outcomes = new HashMap<>();
  private final Map<String, Exception> failures = new HashMap<>();

  private BatchResult() {}

  /** A result in which every event succeeded, until marked otherwise. */
  public static BatchResult allSucceeded() {
    return new BatchResult();
  }

  /** Marks {@code event} skipped ({@link Outcome#SKIPPED}); replaces an earlier mark of it. */
  public BatchResult skipped(ReprocessEvent event) {
    String id = Objects.requireNonNull(event, "event").eventId();
    failures.remove(id);
    outcomes.put(id, Outcome.SKIPPED);
    return this;
  }

  /**
   * Marks {@code event}'s attempt failed with {@code failure}, which the job treats as if a single
   * event's handler had thrown it ({@link RetriableException}: transient); replaces an earlier mark.
   */
  public BatchResult failed(ReprocessEvent event, Exception failure) {
    String id = Objects.requireNonNull(event, "event").eventId();
    outcomes.remove(id);
    failures.put(id, Objects.requireNonNull(failure, "failure"));
    return this;
  }

  /** The outcome of {@code event}: {@link Outcome#SKIPPED} if marked so, else {@link Outcome#SUCCEEDED} (also when it failed). */
  public Outcome outcomeOf(ReprocessEvent event) {
    return outcomes.getOrDefault(event.eventId(), Outcome.SUCCEEDED);
  }

  /** The failure {@code event} was marked with, or {@code null}. */
  public Exception failureOf(ReprocessEvent event) {
    return failures.get(event.eventId());
  }
}
