package dev.reprocess.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import co.elastic.clients.util.BinaryData;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetriableException;
import dev.reprocess.elasticsearch.fake.FakeTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkReindexHandlerTest {

  /** Answers bulk requests like Elasticsearch, per document id: "bad..." 400, "busy..." 429, deletes of "gone..." 404. */
  private final FakeTransport transport = new FakeTransport(request -> {
    if (!(request instanceof BulkRequest bulk)) {
      throw new UnsupportedOperationException(request.toString());
    }
    if (bulk.operations().stream().anyMatch(o -> o.isIndex() && o.index().id().startsWith("down"))) {
      throw new IOException("Connection refused");
    }
    List<BulkResponseItem> items = new ArrayList<>();
    for (BulkOperation op : bulk.operations()) {
      boolean delete = op.isDelete();
      String id = delete ? op.delete().id() : op.index().id();
      String index = delete ? op.delete().index() : op.index().index();
      items.add(BulkResponseItem.of(i -> {
        i.operationType(delete ? OperationType.Delete : OperationType.Index).index(index).id(id);
        if (id.startsWith("bad")) {
          return i.status(400).error(e -> e.type("document_parsing_exception").reason("failed to parse field [size]"));
        } else if (id.startsWith("busy")) {
          return i.status(429).error(e -> e.type("es_rejected_execution_exception").reason("queue full"));
        } else if (delete && id.startsWith("gone")) {
          return i.status(404).result("not_found");
        }
        return i.status(delete ? 200 : 201).result(delete ? "deleted" : "created");
      }));
    }
    return BulkResponse.of(r -> r.errors(items.stream().anyMatch(i -> i.error() != null)).took(1).items(items));
  });
  private final ElasticsearchClient client = new ElasticsearchClient(transport);
  private final List<BulkReindexHandler> handlers = new ArrayList<>();

  @AfterEach
  void closeHandlers() {
    handlers.forEach(BulkReindexHandler::close);
  }

  private BulkReindexHandler handler(UnaryOperator<BulkReindexHandler.Builder> options) {
    BulkReindexHandler handler = options.apply(BulkReindexHandler.builder(client)
        .targetIndex("assets-v2")
        .documentLoader(e -> Map.of("asset_id", e.assetId(), "size", 42))).build();
    handlers.add(handler);
    return handler;
  }

  private static ReprocessEvent event(String assetId) {
    return new ReprocessEvent("e-" + assetId, "reindex", assetId, "image/png", "assets[0]", 1, Instant.EPOCH, Map.of());
  }

  private static String source(BulkOperation op) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((BinaryData) op.index().document()).writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void returnsOnlyOnceTheDocumentIsIndexed() throws Exception {
    BulkReindexHandler handler = handler(b -> b);
    assertThat(handler.handle(event("a1"))).isEqualTo(Outcome.SUCCEEDED);
    List<BulkRequest> bulks = transport.requests(BulkRequest.class);
    assertThat(bulks).hasSize(1);
    BulkOperation op = bulks.get(0).operations().get(0);
    assertThat(op.index().index()).isEqualTo("assets-v2");
    assertThat(op.index().id()).isEqualTo("a1");
    assertThat(source(op)).contains("\"asset_id\":\"a1\"").contains("\"size\":42");
  }

  @Test
  void aRefusedItemFailsItsEventWithTheReason() {
    BulkReindexHandler handler = handler(b -> b);
    assertThatThrownBy(() -> handler.handle(event("bad-1")))
        .isInstanceOf(BulkItemException.class)
        .isNotInstanceOf(RetriableException.class)
        .hasMessageContaining("document 'bad-1' in index 'assets-v2' failed with HTTP 400: document_parsing_exception: failed to parse field [size]")
        .satisfies(e -> {
          BulkItemException b = (BulkItemException) e;
          assertThat(b.status()).isEqualTo(400);
          assertThat(b.errorType()).isEqualTo("document_parsing_exception");
          assertThat(b.documentId()).isEqualTo("bad-1");
        });
  }

  @Test
  void aRejectedItemIsRetriable() {
    BulkReindexHandler handler = handler(b -> b);
    assertThatThrownBy(() -> handler.handle(event("busy-1")))
        .isInstanceOf(RetriableException.class)
        .hasCauseInstanceOf(BulkItemException.class)
        .hasMessageContaining("HTTP 429: es_rejected_execution_exception");
  }

  @Test
  void aFailedBulkRequestFailsEveryEventInItAsRetriable() {
    BulkReindexHandler handler = handler(b -> b);
    assertThatThrownBy(() -> handler.handle(event("down-1")))
        .isInstanceOf(RetriableException.class)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void concurrentEventsShareBulkRequestsAndEachGetsItsOwnAnswer() throws Exception {
    BulkReindexHandler handler = handler(b -> b.flushInterval(Duration.ofMillis(50)));
    ExecutorService pool = Executors.newFixedThreadPool(40);
    try {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String id = (i % 50 == 7 ? "bad-" : "ok-") + i;
        results.add(pool.submit(() -> {
          try {
            return handler.handle(event(id));
          } catch (Exception e) {
            return e;
          }
        }));
      }
      int succeeded = 0;
      int failed = 0;
      for (Future<Object> f : results) {
        Object r = f.get(30, TimeUnit.SECONDS);
        if (r == Outcome.SUCCEEDED) {
          succeeded++;
        } else {
          assertThat(r).isInstanceOf(BulkItemException.class);
          failed++;
        }
      }
      assertThat(succeeded).isEqualTo(196);
      assertThat(failed).isEqualTo(4);
      int operations = transport.requests(BulkRequest.class).stream().mapToInt(b -> b.operations().size()).sum();
      assertThat(operations).isEqualTo(200);
      assertThat(transport.requests(BulkRequest.class).size()).as("bulk requests").isLessThan(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMissingAssetIsSkippedOrDeleted() throws Exception {
    BulkReindexHandler skipping = handler(b -> b.documentLoader(e -> e.assetId().startsWith("gone") ? Optional.empty() : Map.of()));
    assertThat(skipping.handle(event("gone-1"))).isEqualTo(Outcome.SKIPPED);
    BulkReindexHandler nulls = handler(b -> b.documentLoader(e -> null));
    assertThat(nulls.handle(event("x"))).isEqualTo(Outcome.SKIPPED);
    assertThat(transport.requests()).isEmpty();

    BulkReindexHandler deleting = handler(b -> b.deleteMissing(true).documentLoader(e -> null));
    assertThat(deleting.handle(event("gone-2"))).as("already absent").isEqualTo(Outcome.SUCCEEDED);
    assertThat(deleting.handle(event("present-3"))).isEqualTo(Outcome.SUCCEEDED);
    assertThat(transport.requests(BulkRequest.class)).flatExtracting(BulkRequest::operations)
        .allMatch(BulkOperation::isDelete).extracting(o -> o.delete().id()).containsExactly("gone-2", "present-3");
  }

  @Test
  void writesJsonTextAsIsAndUsesTheConfiguredDocumentId() throws Exception {
    BulkReindexHandler handler = handler(b -> b.documentLoader(e -> "{\"raw\": true}").documentId(e -> "v2-" + e.assetId()));
    handler.handle(event("a1"));
    BulkOperation op = transport.requests(BulkRequest.class).get(0).operations().get(0);
    assertThat(op.index().id()).isEqualTo("v2-a1");
    assertThat(source(op)).isEqualTo("{\"raw\": true}");
  }

  @Test
  void aDocumentThatCannotBeSerializedFailsOnlyItsEvent() {
    BulkReindexHandler handler = handler(b -> b.documentLoader(e -> new Object()));
    assertThatThrownBy(() -> handler.handle(event("a1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("document 'a1' (java.lang.Object) cannot be serialized to JSON");
    assertThat(transport.requests()).isEmpty();
  }

  @Test
  void flushSendsBufferedDocumentsAndWaitsForTheirAnswers() throws Exception {
    BulkReindexHandler handler = handler(b -> b.flushInterval(Duration.ofMinutes(1)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Outcome> pending = pool.submit(() -> handler.handle(event("a1")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!pending.isDone() && System.nanoTime() < deadline) {
        handler.flush(); // sends what the handler thread buffered, once it has
      }
      assertThat(pending.get(1, TimeUnit.SECONDS)).isEqualTo(Outcome.SUCCEEDED);
      assertThat(transport.requests(BulkRequest.class)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noAnswerWithinTheAckTimeoutIsRetriable() {
    BulkReindexHandler handler = handler(b -> b.flushInterval(Duration.ofMinutes(1)).ackTimeout(Duration.ofMillis(50)));
    assertThatThrownBy(() -> handler.handle(event("a1")))
        .isInstanceOf(RetriableException.class)
        .hasMessageContaining("no answer for document 'a1' within ackTimeout PT0.05S");
  }

  @Test
  void closeSendsWhatIsBufferedAndRefusesFurtherEvents() throws Exception {
    BulkReindexHandler handler = handler(b -> b.flushInterval(Duration.ofMinutes(1)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Outcome> pending = pool.submit(() -> handler.handle(event("a1")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (transport.requests().isEmpty() && !pending.isDone() && System.nanoTime() < deadline) {
        handler.flush();
      }
      handler.close();
      handler.close();
      assertThat(pending.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.SUCCEEDED);
      assertThatThrownBy(() -> handler.handle(event("a2"))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    assertThatThrownBy(() -> BulkReindexHandler.builder(client).documentLoader(e -> Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetIndex is 'null'");
    assertThatThrownBy(() -> BulkReindexHandler.builder(client).targetIndex("a,b").documentLoader(e -> Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetIndex is 'a,b'");
    assertThatThrownBy(() -> BulkReindexHandler.builder(client).targetIndex("t").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("documentLoader is null");
    assertThatThrownBy(() -> handler(b -> b.maxOperations(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOperations is 0: it must be at least 1");
    assertThatThrownBy(() -> handler(b -> b.maxRequestBytes(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRequestBytes is 10");
    assertThatThrownBy(() -> handler(b -> b.maxConcurrentRequests(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentRequests is 0");
    assertThatThrownBy(() -> handler(b -> b.flushInterval(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flushInterval is PT0S");
    assertThatThrownBy(() -> handler(b -> b.ackTimeout(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ackTimeout is null");
    assertThat(transport.requests()).isEmpty();
  }
}
