package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.ShardFailure;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.ElasticsearchTransport;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import dev.reprocess.internal.Quote;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import java.io.IOException;
import java.net.ConnectException;
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
    return hasTypeAnywhere(e, "search_context_missing_exception");
  }

  /** True when the error, a root cause or a cause of either has the type. */
  private static boolean hasTypeAnywhere(ElasticsearchException e, String type) {
    ErrorCause error = e.error();
    return error != null && (hasType(error, type) || error.rootCause().stream().anyMatch(root -> hasType(root, type)));
  }

  private static boolean hasType(ErrorCause cause, String type) {
    for (ErrorCause c = cause; c != null; c = c.causedBy()) {
      if (type.equals(c.type())) {
        return true;
      }
    }
    return false;
  }

  /** True when Elasticsearch says an index is closed. */
  public static boolean isIndexClosed(ElasticsearchException e) {
    return hasTypeAnywhere(e, "index_closed_exception");
  }

  /**
   * The refusal of a closed index: {@code index is 'assets': index 'assets-2024' is closed...}.
   *
   * @param index the selector's {@code index} option (an index, alias or pattern)
   */
  public static IllegalArgumentException indexClosed(String index, ElasticsearchException e) {
    String closed = index;
    ErrorCause error = e.error();
    if (error != null && error.metadata().get("index") != null) {
      closed = error.metadata().get("index").to(String.class);
    }
    return new IllegalArgumentException("index is '" + index + "': index '" + closed + "' is closed, so nothing"
        + " can be read from it: open it (POST /" + closed + "/_open) or select another index", e);
  }

  /**
   * Where the client sends its requests, for messages: the URLs of a {@code Rest5ClientTransport}'s
   * nodes, or the transport's class for another transport.
   */
  public static String endpoint(ElasticsearchClient client) {
    ElasticsearchTransport transport = client._transport();
    try {
      if (transport instanceof Rest5ClientTransport rest) {
        return rest.restClient().getNodes().stream().map(n -> n.getHost().toURI()).collect(Collectors.joining(","));
      }
    } catch (RuntimeException | LinkageError e) {
      // fall through: a message without the URL is better than no message
    }
    return "the client's endpoint (" + transport.getClass().getSimpleName() + ")";
  }

  /**
   * Wraps a failure of the first request a selector sends, which finds out whether the client
   * talks to Elasticsearch at all: an answer without Elasticsearch's product header, or a
   * connection closed or garbled by the peer, says that {@code endpoint} {@code did not answer like
   * Elasticsearch} (an {@link IllegalArgumentException} for an HTTP answer, a {@link
   * ReprocessException} for a broken connection); a refused connection names the endpoint; the rest
   * is {@link #wrap}.
   */
  public static RuntimeException wrapFirstContact(String endpoint, String what, Exception e) {
    if (e instanceof TransportException te) {
      if (te.statusCode() <= 0 || isTransientStatus(te.statusCode())) {
        return wrap(what + " at " + endpoint, e);
      }
      return new IllegalArgumentException(endpoint + " did not answer like Elasticsearch (" + what + ": HTTP "
          + te.statusCode() + ", " + Quote.abbreviate(te.getMessage()) + "): check the client's URL (scheme, host, port,"
          + " path prefix)", e);
    }
    if (e instanceof ConnectException) {
      return new RetriableException(what + " failed: could not connect to Elasticsearch at " + endpoint + ": " + e, e);
    }
    if (e instanceof IOException && !(e instanceof java.net.SocketTimeoutException)) {
      return new ReprocessException(endpoint + " did not answer like Elasticsearch (" + what + ": " + e + "): check"
          + " the client's URL (scheme http or https, host, port: Elasticsearch's HTTP port, 9200 by default)", e);
    }
    return wrap(what + " at " + endpoint, e);
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
