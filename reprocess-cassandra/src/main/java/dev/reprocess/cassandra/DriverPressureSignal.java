package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.tracker.RequestTracker;
import dev.reprocess.PressureSignal;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link PressureSignal} from the Cassandra driver's request latency on the host's own session:
 * production's queries share that cluster, so their latency rising, or the cluster answering
 * "overloaded", is what an adaptive job should back off from. Register it as a {@link
 * RequestTracker} when the host builds its session, and give the same object to the job:
 *
 * <pre>{@code
 * DriverPressureSignal pressure = DriverPressureSignal.create();
 * CqlSession session = CqlSession.builder().addRequestTracker(pressure).build();
 * ReprocessJob.builder("backfill").adaptiveConcurrency(true).pressureSignal(pressure) ...
 * }</pre>
 *
 * <p>Every request the session completes is a sample with its latency (the driver's, in
 * nanoseconds, retries and speculative executions included). A request that fails with a
 * time-out ({@link DriverTimeoutException}, a read or write time-out or failure), {@link
 * OverloadedException}, {@link UnavailableException}, {@link BusyConnectionException} or with no
 * node able to answer ({@link AllNodesFailedException}) is a drop; other failures (a syntax
 * error, an invalid query) say nothing about load and are not samples. {@link
 * #filter(Predicate)} keeps only the requests that stand for production, e.g. to leave out the
 * job's own selection reads when they use the same session.
 *
 * <p>Thread-safe: the driver calls it from its I/O threads, so it only hands samples to the
 * subscribed jobs. Samples before the first subscription, or with none, are dropped.
 */
public final class DriverPressureSignal implements PressureSignal, RequestTracker {

  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Predicate<Request> filter;

  private DriverPressureSignal(Predicate<Request> filter) {
    this.filter = filter;
  }

  /** A signal of every request of the session it is registered with. */
  public static DriverPressureSignal create() {
    return new DriverPressureSignal(r -> true);
  }

  /**
   * A signal of the requests that {@code filter} accepts (called on the driver's I/O threads: keep
   * it cheap and non-blocking).
   */
  public static DriverPressureSignal filter(Predicate<Request> filter) {
    return new DriverPressureSignal(Objects.requireNonNull(filter, "filter"));
  }

  @Override
  public Subscription subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public String describe() {
    return "Cassandra driver request latency";
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public void onSuccess(Request request, long latencyNanos, DriverExecutionProfile profile, Node node,
      String requestLogPrefix) {
    send(request, latencyNanos, false);
  }

  @Override
  public void onError(Request request, Throwable error, long latencyNanos, DriverExecutionProfile profile,
      Node node, String requestLogPrefix) {
    if (isDrop(error)) {
      send(request, latencyNanos, true);
    }
  }

  private void send(Request request, long latencyNanos, boolean dropped) {
    if (listeners.isEmpty() || !filter.test(request)) {
      return;
    }
    for (Listener l : listeners) {
      l.onSample(latencyNanos, dropped);
    }
  }

  /** Whether a request's failure means the cluster is under pressure (see the class comment). */
  static boolean isDrop(Throwable error) {
    return error instanceof DriverTimeoutException || error instanceof QueryConsistencyException
        || error instanceof OverloadedException || error instanceof UnavailableException
        || error instanceof BusyConnectionException || error instanceof AllNodesFailedException;
  }

  /** Nothing to release: the session closes its trackers; subscriptions end with their jobs. */
  @Override
  public void close() {}
}
