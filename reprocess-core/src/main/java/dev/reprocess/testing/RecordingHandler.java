package dev.reprocess.testing;

import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetriableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * An {@link EventHandler} for tests that records every event it receives and can be told to fail
 * or skip given assets. Thread-safe; configure it before the job starts (configuration methods may
 * also be called while it runs and take effect for the next events).
 *
 * <pre>{@code
 * RecordingHandler handler = new RecordingHandler()
 *     .failFor(Set.of("a-3"))            // always throws RetriableException for a-3
 *     .failTimes("a-7", 2)               // throws for the first 2 attempts of a-7, then succeeds
 *     .skipFor(Set.of("a-9"));           // returns SKIPPED for a-9
 * }</pre>
 */
public final class RecordingHandler implements EventHandler {

  private final ConcurrentLinkedQueue<ReprocessEvent> received = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ReprocessEvent> handled = new ConcurrentLinkedQueue<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Set<String> skipping = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();
  private volatile Function<ReprocessEvent, Exception> failure =
      e -> new RetriableException("recording handler told to fail asset " + e.assetId()
          + " (attempt " + e.attempt() + ")");
  private volatile EventHandler before = e -> null;

  /** Throws for every attempt of these assets (a {@link RetriableException} unless {@link #failWith}). */
  public RecordingHandler failFor(Collection<String> assetIds) {
    failing.addAll(assetIds);
    return this;
  }

  /** Throws for the first {@code times} attempts of this asset, then handles it normally. */
  public RecordingHandler failTimes(String assetId, int times) {
    failuresLeft.put(Objects.requireNonNull(assetId, "assetId"), times);
    return this;
  }

  /** Returns {@link Outcome#SKIPPED} for these assets. */
  public RecordingHandler skipFor(Collection<String> assetIds) {
    skipping.addAll(assetIds);
    return this;
  }

  /** What to throw for failing assets; default a {@link RetriableException} naming the asset. */
  public RecordingHandler failWith(Function<ReprocessEvent, Exception> failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
    return this;
  }

  /**
   * Runs {@code hook} at the start of every call, before recording outcomes (to block on a latch,
   * to simulate latency, to throw). If it throws, the call throws that; its return value is ignored.
   */
  public RecordingHandler beforeEach(EventHandler hook) {
    this.before = Objects.requireNonNull(hook, "hook");
    return this;
  }

  @Override
  public Outcome handle(ReprocessEvent event) throws Exception {
    received.add(event);
    before.handle(event);
    if (failing.contains(event.assetId())) {
      throw failure.apply(event);
    }
    Integer left = failuresLeft.computeIfPresent(event.assetId(), (k, v) -> v - 1);
    if (left != null && left >= 0) {
      throw failure.apply(event);
    }
    handled.add(event);
    return skipping.contains(event.assetId()) ? Outcome.SKIPPED : Outcome.SUCCEEDED;
  }

  /** Every event received, every attempt, in arrival order (failed attempts included). */
  public List<ReprocessEvent> events() {
    return new ArrayList<>(received);
  }

  /** Events whose call returned normally (succeeded or skipped), in completion order. */
  public List<ReprocessEvent> handled() {
    return new ArrayList<>(handled);
  }

  /** Asset ids of {@link #handled()}, duplicates included. */
  public List<String> handledAssetIds() {
    List<String> ids = new ArrayList<>();
    for (ReprocessEvent e : handled) {
      ids.add(e.assetId());
    }
    return ids;
  }

  /** Distinct asset ids handled successfully (succeeded or skipped). */
  public Set<String> distinctHandledAssetIds() {
    return new HashSet<>(handledAssetIds());
  }

  /** The number of calls so far, failed attempts included. */
  public int count() {
    return received.size();
  }

  /** Calls per asset id, failed attempts included. */
  public Map<String, Integer> attemptsByAssetId() {
    Map<String, Integer> out = new HashMap<>();
    for (ReprocessEvent e : received) {
      out.merge(e.assetId(), 1, Integer::sum);
    }
    return out;
  }

  /** Forgets what was recorded (not the configuration). */
  public void clear() {
    received.clear();
    handled.clear();
  }
}
