package dev.reprocess.elasticsearch.fake;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransport;
import co.elastic.clients.transport.Endpoint;
import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.DefaultTransportOptions;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A transport for unit tests: every request goes to a function that returns the typed response
 * or throws (an {@code ElasticsearchException} as the real transport would), with no HTTP and no
 * JSON. Records the requests. Asynchronous requests are answered on a new thread.
 */
public final class FakeTransport implements ElasticsearchTransport {

  /** Answers one request. */
  @FunctionalInterface
  public interface Responder {
    Object respond(Object request) throws IOException;
  }

  private final Responder responder;
  private final JsonpMapper mapper = new JacksonJsonpMapper();
  private final List<Object> requests = new CopyOnWriteArrayList<>();

  public FakeTransport(Responder responder) {
    this.responder = responder;
  }

  /** A client over a fake transport. */
  public static ElasticsearchClient client(Responder responder) {
    return new ElasticsearchClient(new FakeTransport(responder));
  }

  /** Every request so far, in order. */
  public List<Object> requests() {
    return requests;
  }

  /** The requests of one type. */
  public <T> List<T> requests(Class<T> type) {
    return requests.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <RequestT, ResponseT, ErrorT> ResponseT performRequest(
      RequestT request, Endpoint<RequestT, ResponseT, ErrorT> endpoint, TransportOptions options) throws IOException {
    requests.add(request);
    return (ResponseT) responder.respond(request);
  }

  @Override
  public <RequestT, ResponseT, ErrorT> CompletableFuture<ResponseT> performRequestAsync(
      RequestT request, Endpoint<RequestT, ResponseT, ErrorT> endpoint, TransportOptions options) {
    CompletableFuture<ResponseT> future = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        future.complete(performRequest(request, endpoint, options));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    }, "fake-transport");
    thread.setDaemon(true);
    thread.start();
    return future;
  }

  @Override
  public JsonpMapper jsonpMapper() {
    return mapper;
  }

  @Override
  public TransportOptions options() {
    return DefaultTransportOptions.EMPTY;
  }

  @Override
  public void close() {}

  /** Adapts a function that cannot throw checked exceptions. */
  public static Responder of(Function<Object, Object> f) {
    return f::apply;
  }
}
