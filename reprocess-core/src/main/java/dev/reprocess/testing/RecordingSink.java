package dev.reprocess.testing;

import dev.reprocess.EventSink;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetriableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link EventSink} for tests that records every event delivered and completes it at once with
 * {@link Outcome#SUCCEEDED} (or fails it, for assets it was told to fail), the way Kafka's {@code
 * MockProducer} stands in for a producer. Counts {@link #flush()} calls and remembers {@link
 * #close()}. Thread-safe.
 */
public final class RecordingSink implements EventSink {

  private final ConcurrentLinkedQueue<ReprocessEvent> events = new ConcurrentLinkedQueue<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final AtomicInteger flushes = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Fails every delivery of these assets with a {@link RetriableException}. */
  public RecordingSink failFor(Collection<String> assetIds) {
    failing.addAll(assetIds);
    return this;
  }

  @Override
  public CompletionStage<Outcome> deliver(ReprocessEvent event) {
    events.add(event);
    if (failing.contains(event.assetId())) {
      return CompletableFuture.failedFuture(
          new RetriableException("recording sink told to fail asset " + event.assetId()));
    }
    return CompletableFuture.completedFuture(Outcome.SUCCEEDED);
  }

  @Override
  public void flush() {
    flushes.incrementAndGet();
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** Every event delivered, every attempt, in delivery order. */
  public List<ReprocessEvent> events() {
    return new ArrayList<>(events);
  }

  /** Asset ids of {@link #events()}. */
  public List<String> assetIds() {
    List<String> ids = new ArrayList<>();
    for (ReprocessEvent e : events) {
      ids.add(e.assetId());
    }
    return ids;
  }

  /** How many times {@link #flush()} was called. */
  public int flushCount() {
    return flushes.get();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public String describe() {
    return "recording sink";
  }
}
