package dev.reprocess.kafka.internal;

import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.internal.HandlerPool;
import dev.reprocess.json.EventJson;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key FIFO lanes served by the worker's handler threads (Confluent parallel-consumer's "key"
 * ordering). Every record joins the lane of its key; at most one thread works on a lane at a
 * time, so records of one key are handled in offset order while different keys run in parallel.
 * A lane is in the ready queue, owned by one handler thread, or parked in a backoff; an empty lane
 * is removed. A thread hands a busy lane back to the ready queue after {@value #LANE_BUDGET}
 * records, so one hot key does not starve the others.
 *
 * <p>Handler calls go through core's {@link HandlerPool}: a call past {@code handlerTimeout} fails
 * its attempt with a {@link HandlerTimeoutException}, its thread is replaced and the lane is handed
 * on, so the partition moves on even if the handler ignores the interrupt.
 *
 * <p>Before each call a thread takes a permit of the {@link WorkerControl}: it waits there while the
 * worker is paused, at its limit on calls in flight, or held back by its rate limit.
 *
 * <p>Thread-safe: {@link #submit} is called by the poll thread, the rest by handler threads.
 */
final class KeyLanes {

  private static final Logger log = LoggerFactory.getLogger(KeyLanes.class);
  static final int LANE_BUDGET = 32;
  private static final long READY_POLL_MILLIS = 100;

  private final WorkerSettings settings;
  private final FailureRouting failures;
  private final PendingRecords pending;
  private final WorkerCounters counters;
  private final WorkerShutdown shutdown;
  private final WorkerControl control;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Lane> ready = new LinkedBlockingQueue<>();
  private final HandlerPool pool;

  KeyLanes(WorkerSettings settings, FailureRouting failures, PendingRecords pending, WorkerCounters counters,
      WorkerShutdown shutdown, WorkerControl control) {
    this.settings = settings;
    this.failures = failures;
    this.pending = pending;
    this.counters = counters;
    this.shutdown = shutdown;
    this.control = control;
    this.pool = new HandlerPool("reprocess-worker-" + settings.name() + "-handler", settings.concurrency(),
        settings.handlerTimeout(), settings.ticker(), this::nextLane);
  }

  /** Starts the handler threads and the watchdog. */
  void start() {
    while (pool.addThread()) {
      // one per slot of the pool
    }
  }

  /** Interrupts the handler threads; they end after their current record. */
  void stop() {
    pool.close();
  }

  /** Poll thread: queues the item at the end of its key's lane. */
  void submit(WorkItem item) {
    boolean[] becameActive = new boolean[1];
    Lane lane = lanes.compute(item.laneKey, (key, existing) -> {
      Lane l = existing;
      if (l == null) {
        l = new Lane(key);
        becameActive[0] = true;
      }
      l.items.addLast(item);
      return l;
    });
    if (becameActive[0]) {
      ready.add(lane);
    }
  }

  private HandlerPool.Work nextLane() throws InterruptedException {
    while (!shutdown.stopped) {
      Lane lane = ready.poll(READY_POLL_MILLIS, TimeUnit.MILLISECONDS);
      if (lane != null) {
        return thread -> runLane(thread, lane);
      }
    }
    return null;
  }

  /** Runs the lane's records in order until it is empty, parked, or its budget is spent. */
  private void runLane(HandlerPool.HandlerThread thread, Lane lane) {
    WorkItem item = head(lane);
    int budget = LANE_BUDGET;
    while (item != null) {
      WorkItem current = item;
      WorkerControl.Permit permit = control.acquire(() -> shutdown.closing || current.window.revoked);
      if (permit == null) {
        if (shutdown.closing) {
          return; // What did not start is left for the group.
        }
        if (!item.window.revoked) {
          ready.add(lane); // This thread was interrupted: another one takes the lane on.
          return;
        }
        pending.finish(item, WorkItem.DROPPED); // Revoked while waiting: its next owner reads it again.
        item = advance(lane);
        continue;
      }
      if (!startable(item)) {
        permit.release();
        item = advance(lane);
        continue;
      }
      long start = settings.ticker().nanoTime();
      HandlerPool.Attempt attempt = thread.invoke(settings.handler(), item.event, timeoutHandler(item, lane,
          permit, start));
      if (attempt.timedOut()) {
        return; // The watchdog failed the attempt, handed the lane on and replaced this thread.
      }
      long latency = settings.ticker().nanoTime() - start;
      permit.release(start, latency, attempt.failure());
      counters.handlerLatency(latency);
      if (attempt.failure() == null) {
        succeeded(item, attempt.outcome());
      } else if (failures.route(item, attempt.failure(), () -> ready.add(lane))) {
        return; // parked in a backoff
      }
      item = advance(lane);
      if (item != null && --budget == 0) {
        ready.add(lane);
        return;
      }
    }
  }

  /**
   * Decodes the item and claims it for running; false (the item dropped or dead-lettered) when it
   * must not run.
   */
  private boolean startable(WorkItem item) {
    if (item.window.revoked || shutdown.closing || item.isTerminal()) {
      pending.finish(item, WorkItem.DROPPED);
      return false;
    }
    if (item.event == null) {
      try {
        item.event = EventJson.fromBytes(item.record.value() == null ? new byte[0] : item.record.value());
      } catch (RuntimeException e) {
        failures.deadLetterPoison(item, e);
        return false;
      }
    }
    // Claim the record, then look at the revocation flag: the poll thread sets the flag, then looks
    // at the states, so either it sees RUNNING and waits for this handler, or this thread sees the flag.
    if (!item.state.compareAndSet(WorkItem.QUEUED, WorkItem.RUNNING) || item.window.revoked || shutdown.closing) {
      pending.finish(item, WorkItem.DROPPED);
      return false;
    }
    return true;
  }

  private void succeeded(WorkItem item, Outcome outcome) {
    if (outcome == Outcome.SKIPPED) {
      counters.skipped.increment();
      item.outcome = FinalOutcome.SKIPPED;
    } else {
      counters.succeeded.increment();
      item.outcome = FinalOutcome.SUCCEEDED;
    }
    if (log.isTraceEnabled()) {
      ReprocessEvent e = item.event;
      log.trace("job '{}': event {} (asset {}) attempt {}: {}", e.jobName(), e.eventId(), e.assetId(), e.attempt(),
          outcome);
    }
    pending.finish(item, WorkItem.DONE);
  }

  /** What the watchdog does with a call of this item that ran past the limit (on its thread). */
  private Consumer<HandlerTimeoutException> timeoutHandler(WorkItem item, Lane lane, WorkerControl.Permit permit,
      long startNanos) {
    return timeout -> {
      permit.release(startNanos, settings.ticker().nanoTime() - startNanos, timeout);
      counters.timedOut.increment();
      log.warn("worker '{}': {}", settings.name(), timeout.getMessage());
      boolean parked = failures.route(item, timeout, () -> ready.add(lane));
      if (!parked && advance(lane) != null) {
        ready.add(lane);
      }
    };
  }

  private WorkItem head(Lane lane) {
    WorkItem[] head = new WorkItem[1];
    lanes.computeIfPresent(lane.key, (key, l) -> {
      head[0] = l.items.peekFirst();
      return l;
    });
    return head[0];
  }

  /** Removes the lane's head; returns the next head, or null when the lane is now empty (and gone). */
  private WorkItem advance(Lane lane) {
    WorkItem[] head = new WorkItem[1];
    lanes.compute(lane.key, (key, l) -> {
      if (l == null) {
        return null;
      }
      l.items.pollFirst();
      if (l.items.isEmpty()) {
        return null;
      }
      head[0] = l.items.peekFirst();
      return l;
    });
    return head[0];
  }

  /** The records of one key waiting or running, in offset order. */
  private static final class Lane {
    final String key;
    final ArrayDeque<WorkItem> items = new ArrayDeque<>(2);

    Lane(String key) {
      this.key = key;
    }
  }
}
