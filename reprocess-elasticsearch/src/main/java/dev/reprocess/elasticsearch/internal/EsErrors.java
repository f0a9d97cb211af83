package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.ShardFailure;
import co.elastic.clients.transport.TransportException;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/** Turns Elasticsearch client failures into Reprocess exceptions. Stateless. */
public final class EsErrors {

  private EsErrors() {}

  /** True for HTTP statuses that may pass when the request is sent again. */
  public static boolean isTransientStatus(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /**
   * True when Elasticsearch says the point in time (search context) is gone: it expired, was
   * closed, or the node holding it restarted.
   */
  public static boolean isMissingSearchContext(ElasticsearchException e) {
    ErrorCause error = e.error();
    if (error == null) {
      return false;
    }
    if (hasType(error, "search_context_missing_exception")) {
      return true;
    }
    for (ErrorCause root : error.rootCause()) {
      if (hasType(root, "search_context_missing_exception")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasType(ErrorCause cause, String type) {
    for (ErrorCause c = cause; c != null; c = c.causedBy()) {
      if (type.equals(c.type())) {
        return true;
      }
    }
    return false;
  }

  /** True when Elasticsearch says an index does not exist. */
  public static boolean isIndexNotFound(ElasticsearchException e) {
    return e.error() != null && "index_not_found_exception".equals(e.error().type());
  }

  /** The error's type and reason, with its root causes when they say more: for messages. */
  public static String describe(ElasticsearchException e) {
    ErrorCause error = e.error();
    if (error == null) {
      return "HTTP " + e.status() + ": " + e.getMessage();
    }
    StringBuilder text = new StringBuilder().append(error.type()).append(": ").append(error.reason());
    for (ErrorCause root : error.rootCause()) {
      if (!root.type().equals(error.type()) || !String.valueOf(root.reason()).equals(String.valueOf(error.reason()))) {
        text.append("; root cause ").append(root.type()).append(": ").append(root.reason());
      }
    }
    for (ErrorCause c = error.causedBy(); c != null; c = c.causedBy()) {
      text.append("; caused by ").append(c.type()).append(": ").append(c.reason());
    }
    return text.toString();
  }

  /** Shard failures of a response, one line each, for messages. */
  public static String describe(List<ShardFailure> failures) {
    if (failures == null || failures.isEmpty()) {
      return "no failure details";
    }
    return failures.stream()
        .map(f -> f.index() + "[" + f.shard() + "] " + (f.reason() == null ? "?" : f.reason().type() + ": " + f.reason().reason()))
        .collect(Collectors.joining("; "));
  }

  /**
   * Wraps a failure of a request to Elasticsearch: {@link RetriableException} for a transport
   * error or a transient status, {@link ReprocessException} otherwise.
   *
   * @param what what was being done, e.g. {@code index 'assets' shard [0]: reading after _seq_no 12}
   */
  public static ReprocessException wrap(String what, Exception e) {
    if (e instanceof ElasticsearchException ee) {
      String message = what + " failed: " + describe(ee);
      return isTransientStatus(ee.status()) ? new RetriableException(message, e) : new ReprocessException(message, e);
    }
    if (e instanceof TransportException te) {
      String message = what + " failed: HTTP " + te.statusCode() + " " + te.getMessage();
      return te.statusCode() <= 0 || isTransientStatus(te.statusCode())
          ? new RetriableException(message, e)
          : new ReprocessException(message, e);
    }
    if (e instanceof IOException) {
      return new RetriableException(what + " failed: " + e, e);
    }
    if (e instanceof ReprocessException re) {
      return re;
    }
    return new ReprocessException(what + " failed: " + e, e);
  }
}
