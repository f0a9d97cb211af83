package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Turns driver failures into Reprocess exceptions: transient ones (timeouts, unavailable replicas,
 * overloaded or bootstrapping coordinators, lost connections) into {@link RetriableException},
 * anything else (syntax, invalid query, read failures such as too many tombstones) into {@link
 * ReprocessException}.
 */
public final class DriverErrors {
  private DriverErrors() {}

  /** Waits for a stage, translating its failure; the interrupt flag is kept if interrupted. */
  public static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException(what + ": interrupted", e);
    } catch (ExecutionException | CompletionException e) {
      throw translate(what, e.getCause() != null ? e.getCause() : e);
    } catch (CancellationException e) {
      throw new ReprocessException(what + ": cancelled", e);
    }
  }

  /** The Reprocess exception for a driver failure; {@code what} starts the message. */
  public static ReprocessException translate(String what, Throwable t) {
    if (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ReprocessException r) {
      return r;
    }
    String message = what + ": " + t.getClass().getSimpleName() + ": " + t.getMessage();
    if (isUnreachable(t)) {
      return new dev.reprocess.BackendUnavailableException("cassandra", message, t);
    }
    return isTransient(t) ? new RetriableException(message, t) : new ReprocessException(message, t);
  }

  /**
   * Like {@link #translate}, but a transient failure becomes a {@link
   * dev.reprocess.BackendUnavailableException} of {@code backend}: for writes the job must not lose
   * or skip (checkpoints), so the engine waits for Cassandra within the job's outage budget.
   */
  public static ReprocessException translateOutage(String backend, String what, Throwable t) {
    ReprocessException r = translate(what, t);
    if (r instanceof RetriableException && !(r instanceof dev.reprocess.BackendUnavailableException)) {
      return new dev.reprocess.BackendUnavailableException(backend, r.getMessage(), r.getCause());
    }
    return r;
  }

  /**
   * True when no node could be reached (no node available, all nodes failed, a node down, a lost
   * connection): a {@link dev.reprocess.BackendUnavailableException}, which the engine waits
   * through within the job's outage budget once its retries are spent.
   */
  public static boolean isUnreachable(Throwable t) {
    return t instanceof AllNodesFailedException
        || t instanceof NodeUnavailableException
        || t instanceof ClosedConnectionException
        || t instanceof HeartbeatException;
  }

  /** True for failures that may pass if the request is sent again. */
  public static boolean isTransient(Throwable t) {
    return t instanceof DriverTimeoutException
        || t instanceof ReadTimeoutException
        || t instanceof WriteTimeoutException
        || t instanceof UnavailableException
        || t instanceof OverloadedException
        || t instanceof BootstrappingException
        || t instanceof AllNodesFailedException // includes NoNodeAvailableException
        || t instanceof NodeUnavailableException
        || t instanceof RequestThrottlingException
        || t instanceof BusyConnectionException
        || t instanceof ClosedConnectionException
        || t instanceof HeartbeatException;
  }
}
