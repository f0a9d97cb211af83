package dev.reprocess.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import dev.reprocess.elasticsearch.internal.EsErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler that re-indexes each asset: it loads the asset's document through a host function
 * (for instance the Cassandra {@code AssetLoader}) and writes it to a target index through the
 * client's {@link BulkIngester}, so that documents travel in bulk requests while each event is
 * still handled on its own.
 *
 * <pre>{@code
 * try (BulkReindexHandler reindex = BulkReindexHandler.builder(client)
 *     .targetIndex("assets-v2")
 *     .documentLoader(event -> loader.load(event).map(AssetDocuments::toMap))   // Optional or null: gone
 *     .build()) {
 *   ReprocessJob.builder("reindex-v2").selector(selector).handler(reindex).concurrency(256).build().run();
 * }
 * }</pre>
 *
 * <p><b>Acknowledged, never lost.</b> {@link #handle} returns only once Elasticsearch has
 * acknowledged the event's bulk item, so when the engine writes a checkpoint after a page, every
 * document of that page is indexed. An item Elasticsearch refuses makes {@code handle} throw: a
 * {@link BulkItemException} (e.g. a mapping conflict), or a {@link RetriableException} for HTTP 429
 * and 5xx and for a bulk request that failed as a whole. The engine retries the event and then
 * dead-letters it; nothing is dropped silently. A document that is not acknowledged within {@link
 * Builder#ackTimeout(Duration) ackTimeout} fails the attempt with a {@link RetriableException}.
 *
 * <p><b>Batching.</b> Since every call waits for its acknowledgement, a bulk request holds at most
 * as many documents as there are handler calls in flight: give the job a {@code concurrency} of a
 * few hundred for throughput. Buffered items are sent when {@link Builder#maxOperations(int)
 * maxOperations} or {@link Builder#maxRequestBytes(long) maxRequestBytes} is reached, or after
 * {@link Builder#flushInterval(Duration) flushInterval} (default 20 ms) otherwise.
 *
 * <p><b>Documents.</b> The loader returns the document as any object the client's {@code JsonpMapper}
 * serializes (a {@code Map}, a POJO, a {@code JsonData}), or a {@code String} / {@code byte[]} of
 * JSON text written as is. It is serialized in the calling thread, so one bad document fails only
 * its own event. {@code null} or an empty {@code Optional} means the asset is gone: the event is
 * {@link Outcome#SKIPPED}, or, with {@link Builder#deleteMissing(boolean)}, its document is deleted
 * from the target index. The document id is the asset id unless {@link
 * Builder#documentId(Function)} says otherwise. Writes are {@code index} operations (create or
 * replace), so a retried or repeated event writes the same document again: idempotent.
 *
 * <p>Thread-safe; owns the ingester's threads, so close it (which sends and waits for what is
 * buffered). Never closes the client.
 */
public final class BulkReindexHandler implements EventHandler, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BulkReindexHandler.class);

  /** Default {@link Builder#maxOperations(int)}. */
  public static final int DEFAULT_MAX_OPERATIONS = 1000;
  /** Default {@link Builder#maxRequestBytes(long)}: 5 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 5L * 1024 * 1024;
  /** Default {@link Builder#maxConcurrentRequests(int)}. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 2;
  /** Default {@link Builder#flushInterval(Duration)}: 20 ms. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(20);
  /** Default {@link Builder#ackTimeout(Duration)}: 2 minutes. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMinutes(2);

  private final ElasticsearchClient client;
  private final String targetIndex;
  private final Function<? super ReprocessEvent, ?> documentLoader;
  private final Function<? super ReprocessEvent, String> documentId;
  private final boolean deleteMissing;
  private final Duration ackTimeout;
  private final BulkIngester<Item> ingester;
  private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** One buffered operation and whom to tell when Elasticsearch answers. */
  private record Item(String documentId, boolean delete, CompletableFuture<Void> ack) {}

  private BulkReindexHandler(Builder b) {
    this.client = b.client;
    this.targetIndex = b.targetIndex;
    this.documentLoader = b.documentLoader;
    this.documentId = b.documentId;
    this.deleteMissing = b.deleteMissing;
    this.ackTimeout = b.ackTimeout;
    this.ingester = BulkIngester.of(i -> i
        .client(b.client)
        .maxOperations(b.maxOperations)
        .maxSize(b.maxRequestBytes)
        .maxConcurrentRequests(b.maxConcurrentRequests)
        .flushInterval(b.flushInterval.toMillis(), TimeUnit.MILLISECONDS)
        .listener(new Listener()));
  }

  /** A builder over the host's client, which the handler uses and never closes. */
  public static Builder builder(ElasticsearchClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /**
   * Loads the event's document, adds it to the next bulk request and waits for Elasticsearch's
   * answer for it.
   *
   * @return {@link Outcome#SUCCEEDED} once the document is indexed (or deleted), {@link
   *     Outcome#SKIPPED} when the loader found nothing and {@code deleteMissing} is off
   * @throws BulkItemException if Elasticsearch refused the item
   * @throws RetriableException if it refused it for a transient reason, the bulk request failed,
   *     or no answer came within {@code ackTimeout}
   * @throws IllegalStateException if the handler is closed
   * @throws Exception whatever the loader throws
   */
  @Override
  public Outcome handle(ReprocessEvent event) throws Exception {
    if (closed.get()) {
      throw new IllegalStateException("bulk re-index into '" + targetIndex + "': the handler is closed");
    }
    Object document = documentLoader.apply(event);
    if (document instanceof Optional<?> optional) {
      document = optional.orElse(null);
    }
    String id = documentId.apply(event);
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException(
          "documentId is '" + id + "' for asset '" + event.assetId() + "': it must be a non-blank string");
    }
    if (document == null && !deleteMissing) {
      return Outcome.SKIPPED;
    }
    BulkOperation operation;
    if (document == null) {
      operation = BulkOperation.of(o -> o.delete(d -> d.index(targetIndex).id(id)));
    } else {
      BinaryData source = serialize(document, id);
      operation = BulkOperation.of(o -> o.index(i -> i.index(targetIndex).id(id).document(source)));
    }
    CompletableFuture<Void> ack = new CompletableFuture<>();
    ingester.add(operation, new Item(id, document == null, ack));
    // Only once the ingester holds it: flush() waits for exactly what it can send.
    pending.add(ack);
    ack.whenComplete((ok, failure) -> pending.remove(ack));
    try {
      ack.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw new ReprocessException("bulk re-index into '" + targetIndex + "' of document '" + id + "' failed", cause);
    } catch (TimeoutException e) {
      throw new RetriableException("bulk re-index into '" + targetIndex + "': no answer for document '" + id
          + "' within ackTimeout " + ackTimeout + "; the document may or may not be indexed");
    }
    if (log.isTraceEnabled()) {
      log.trace("{}: {} document '{}' into '{}'", event.jobName(), document == null ? "deleted" : "indexed", id, targetIndex);
    }
    return Outcome.SUCCEEDED;
  }

  private BinaryData serialize(Object document, String id) {
    if (document instanceof BinaryData data) {
      return data;
    }
    if (document instanceof byte[] bytes) {
      return BinaryData.of(bytes, ContentType.APPLICATION_JSON);
    }
    if (document instanceof String json) {
      return BinaryData.of(json.getBytes(StandardCharsets.UTF_8), ContentType.APPLICATION_JSON);
    }
    try {
      return BinaryData.of(document, client._jsonpMapper());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "document '" + id + "' (" + document.getClass().getName() + ") cannot be serialized to JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Sends what is buffered and waits until Elasticsearch has answered for every document added
   * before this call (or {@code ackTimeout} passed). Failures are reported to the {@link #handle}
   * calls they belong to, not here.
   */
  public void flush() {
    List<CompletableFuture<Void>> before = List.copyOf(pending);
    ingester.flush();
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    for (CompletableFuture<Void> ack : before) {
      try {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        // reported to the handle() call waiting for it
      } catch (TimeoutException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** For logs, e.g. {@code elasticsearch bulk re-index into 'assets-v2'}. */
  @Override
  public String toString() {
    return "elasticsearch bulk re-index into '" + targetIndex + "'";
  }

  /**
   * Sends what is buffered, waits for the answers and stops the ingester's threads. Idempotent; the
   * client stays open. Calls to {@link #handle} afterwards throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ingester.close();
    }
  }

  /** Completes each item's acknowledgement from the bulk response. Runs on the client's threads. */
  private final class Listener implements BulkListener<Item> {
    @Override
    public void beforeBulk(long executionId, BulkRequest request, List<Item> items) {}

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Item> items, BulkResponse response) {
      List<BulkResponseItem> results = response.items();
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        if (i >= results.size()) {
          item.ack().completeExceptionally(new RetriableException(
              "bulk re-index into '" + targetIndex + "': the bulk response has " + results.size() + " items for "
                  + items.size() + " operations; document '" + item.documentId() + "' has no answer"));
          continue;
        }
        BulkResponseItem result = results.get(i);
        ErrorCause error = result.error();
        if (error == null && (result.status() < 300 || (item.delete() && result.status() == 404))) {
          item.ack().complete(null);
        } else {
          item.ack().completeExceptionally(itemFailure(item, result));
        }
      }
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Item> items, Throwable failure) {
      ReprocessException wrapped = failure instanceof Exception e
          ? EsErrors.wrap("bulk re-index into '" + targetIndex + "': a bulk request of " + items.size() + " documents", e)
          : new ReprocessException("bulk re-index into '" + targetIndex + "': a bulk request failed", failure);
      log.warn("{}; its {} events fail and are retried by the job", wrapped.getMessage(), items.size());
      for (Item item : items) {
        item.ack().completeExceptionally(wrapped);
      }
    }
  }

  private ReprocessException itemFailure(Item item, BulkResponseItem result) {
    ErrorCause error = result.error();
    String type = error == null ? (result.operationType() == OperationType.Delete ? "delete_failed" : "unknown") : error.type();
    String reason = error == null ? "result " + result.result() : error.reason();
    BulkItemException failure = new BulkItemException(targetIndex, item.documentId(), result.status(), type, reason);
    if (EsErrors.isTransientStatus(result.status())) {
      return new RetriableException(failure.getMessage(), failure);
    }
    return failure;
  }

  /**
   * Configures a {@link BulkReindexHandler}. Mutable, not thread-safe; each {@link #build()} makes
   * an independent handler.
   */
  public static final class Builder {
    private final ElasticsearchClient client;
    private String targetIndex;
    private Function<? super ReprocessEvent, ?> documentLoader;
    private Function<? super ReprocessEvent, String> documentId = ReprocessEvent::assetId;
    private boolean deleteMissing;
    private int maxOperations = DEFAULT_MAX_OPERATIONS;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;

    private Builder(ElasticsearchClient client) {
      this.client = client;
    }

    /** The index (or alias with a write index) to write to. Required. */
    public Builder targetIndex(String index) {
      this.targetIndex = index;
      return this;
    }

    /**
     * Loads an event's document: the object to index, or {@code null} / an empty {@code Optional}
     * when the asset no longer exists. Called on the handler thread; may block and throw (the
     * event then fails and is retried). Required.
     */
    public Builder documentLoader(Function<? super ReprocessEvent, ?> loader) {
      this.documentLoader = loader;
      return this;
    }

    /** The target document id of an event; default its asset id. */
    public Builder documentId(Function<? super ReprocessEvent, String> documentId) {
      this.documentId = documentId;
      return this;
    }

    /**
     * Whether an asset the loader no longer finds is deleted from the target index (true) or the
     * event skipped (false, the default).
     */
    public Builder deleteMissing(boolean deleteMissing) {
      this.deleteMissing = deleteMissing;
      return this;
    }

    /** The most operations per bulk request; default 1000, at least 1. */
    public Builder maxOperations(int maxOperations) {
      this.maxOperations = maxOperations;
      return this;
    }

    /** The size of a bulk request's body that triggers sending it; default 5 MiB, at least 1 KiB. */
    public Builder maxRequestBytes(long maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    /** The most bulk requests in flight at once; default 2, at least 1. */
    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    /**
     * How often buffered operations are sent when no size limit was reached; default 20 ms, from 1
     * ms to 1 minute. Handler calls wait for it, so it bounds their added latency.
     */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    /** How long a handler call waits for its document's answer; default 2 minutes, at least 1 ms. */
    public Builder ackTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
      return this;
    }

    /**
     * Checks the options (without I/O) and builds the handler, which starts the ingester's flush
     * thread.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public BulkReindexHandler build() {
      if (targetIndex == null || targetIndex.isBlank() || targetIndex.chars().anyMatch(Character::isWhitespace)
          || targetIndex.contains("*") || targetIndex.contains(",")) {
        throw new IllegalArgumentException(
            "targetIndex is '" + targetIndex + "': it must be one index or alias, without whitespace, '*' or ','");
      }
      if (documentLoader == null) {
        throw new IllegalArgumentException("documentLoader is null: it is required (it loads the document of each event)");
      }
      if (documentId == null) {
        throw new IllegalArgumentException("documentId is null: it must be a function of the event");
      }
      if (maxOperations < 1) {
        throw new IllegalArgumentException("maxOperations is " + maxOperations + ": it must be at least 1");
      }
      if (maxRequestBytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes is " + maxRequestBytes + ": it must be at least 1024");
      }
      if (maxConcurrentRequests < 1) {
        throw new IllegalArgumentException("maxConcurrentRequests is " + maxConcurrentRequests + ": it must be at least 1");
      }
      if (flushInterval == null || flushInterval.compareTo(Duration.ofMillis(1)) < 0 || flushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("flushInterval is " + flushInterval + ": it must be between PT0.001S and PT1M");
      }
      if (ackTimeout == null || ackTimeout.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("ackTimeout is " + ackTimeout + ": it must be at least PT0.001S");
      }
      return new BulkReindexHandler(this);
    }
  }
}
