package dev.reprocess.kafka.internal;

import dev.reprocess.DeadLetters;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.HandlerTimeoutException;
import dev.reprocess.kafka.KafkaHeaders;
import dev.reprocess.kafka.WorkerStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of a {@code KafkaReprocessWorker}: one poll thread that owns the consumer, a pool
 * of handler threads that run records key by key, and a scheduler for backoffs and the handler
 * time limit.
 *
 * <p>Design (parallel-consumer's "key" ordering, rebuilt because that library does not support
 * kafka-clients 4.x):
 *
 * <ul>
 *   <li><b>Lanes.</b> Every record joins the lane of its key (the asset id; records without a key
 *       share their partition's lane). A lane is a FIFO queue; at most one handler thread works on
 *       a lane at a time, so records of one key are handled in offset order, while different keys
 *       run in parallel on {@code concurrency} threads. A lane is in the ready queue, owned by one
 *       handler thread, or parked in a backoff; empty lanes are removed.
 *   <li><b>Windows and commits.</b> Each assigned partition keeps a window of the records read and
 *       not yet committed, in offset order. A record is final when it succeeded, was skipped, or
 *       was acknowledged by the retry or dead-letter topic. The offset committed is one past the
 *       last record of the contiguous final prefix, so a commit never passes a record whose
 *       outcome is not final.
 *   <li><b>Backpressure.</b> The poll thread never stops calling {@code poll} (so {@code
 *       max.poll.interval.ms} is never overrun); it pauses every partition while {@code
 *       maxPendingRecords} records are pending, and a partition whose window holds {@code
 *       maxPendingPerPartition} records, and resumes them as records become final.
 *   <li><b>Retries.</b> A failed attempt that the retry options allow is retried: after a backoff
 *       up to {@code maxInPlaceBackoff}, in place (the lane waits, no thread does); after a longer
 *       one, by publishing the next attempt to the retry topic with a not-before header (the
 *       partition is then final for that record; later records of the key are not held back).
 *       Exhausted or non-retriable failures, and records that cannot be decoded, are published to
 *       the dead-letter topic.
 *   <li><b>Time limit.</b> A watchdog sees a handler running past {@code handlerTimeout}: it
 *       records a {@link HandlerTimeoutException} failure for the attempt (retried like any
 *       other), interrupts the thread, hands the lane on and starts a replacement thread, so the
 *       partition is not stalled even by a handler that ignores interrupts.
 *   <li><b>Rebalance and close.</b> On revocation (and on close) the records of the revoked
 *       partitions that did not start are dropped, records in a backoff are dropped, and the poll
 *       thread waits (up to {@code closeTimeout}) for running handlers and pending publishes, then
 *       commits the final prefix synchronously. Dropped records are read again by the partition's
 *       next owner: at least once, nothing lost. Lost partitions are dropped without a commit.
 * </ul>
 */
public final class WorkerEngine {

  private static final Logger log = LoggerFactory.getLogger(WorkerEngine.class);
  private static final int LANE_BUDGET = 32;

  private final WorkerSettings s;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final boolean ownsProducer;
  private final long handlerTimeoutNanos;
  private final long maxInPlaceBackoffNanos;

  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Lane> ready = new LinkedBlockingQueue<>();
  private final CopyOnWriteArrayList<Runner> runners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger runnerIds = new AtomicInteger();

  // Poll thread only.
  private final Map<TopicPartition, PartitionWindow> windows = new HashMap<>();
  private final Map<TopicPartition, Long> delayedUntil = new HashMap<>();
  private boolean capacityPaused;
  private long nextCommitNanos;

  private final AtomicLong pending = new AtomicLong();
  private final LongAdder received = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder failedAttempts = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder retriedInPlace = new LongAdder();
  private final LongAdder sentToRetryTopic = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder poison = new LongAdder();
  private final LongAdder commits = new LongAdder();

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private volatile boolean closing;
  private volatile boolean stopRunners;
  private volatile boolean pollWaiting;
  private volatile Thread pollThread;
  private volatile Throwable failure;

  public WorkerEngine(WorkerSettings settings, Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer, boolean ownsProducer) {
    this.s = settings;
    this.consumer = consumer;
    this.producer = producer;
    this.ownsProducer = ownsProducer;
    this.handlerTimeoutNanos = settings.handlerTimeout().toNanos();
    this.maxInPlaceBackoffNanos = settings.maxInPlaceBackoff().toNanos();
    ScheduledThreadPoolExecutor ses = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "reprocess-worker-" + settings.name() + "-scheduler");
      t.setDaemon(true);
      return t;
    });
    ses.setRemoveOnCancelPolicy(true);
    this.scheduler = ses;
  }

  /** Subscribes and starts the threads. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker '" + s.name() + "' is already started");
    }
    for (int i = 0; i < s.concurrency(); i++) {
      startRunner();
    }
    long tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), handlerTimeoutNanos / 4));
    scheduler.scheduleWithFixedDelay(this::watchdog, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    Thread t = new Thread(this::pollLoop, "reprocess-worker-" + s.name() + "-poll");
    pollThread = t;
    t.start();
  }

  /** Stops gracefully (see the class comment) and waits up to about twice the close timeout. */
  public void close() {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    Thread t = pollThread;
    if (t == null) {
      stopEverything();
      return;
    }
    consumer.wakeup();
    LockSupport.unpark(t);
    if (t != Thread.currentThread()) {
      try {
        t.join(s.closeTimeout().multipliedBy(2).plusSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        log.warn("worker '{}': poll thread did not stop within {}", s.name(), s.closeTimeout().multipliedBy(2).plusSeconds(10));
      }
    }
  }

  public boolean isRunning() {
    Thread t = pollThread;
    return t != null && t.isAlive() && !closing;
  }

  public Throwable failure() {
    return failure;
  }

  public WorkerStats stats() {
    return new WorkerStats(received.sum(), succeeded.sum(), skipped.sum(), failedAttempts.sum(),
        timedOut.sum(), retriedInPlace.sum(), sentToRetryTopic.sum(), deadLettered.sum(), poison.sum(),
        pending.get(), commits.sum());
  }

  // ---------------------------------------------------------------------------------------------
  // Poll thread

  private void pollLoop() {
    List<String> topics = new ArrayList<>();
    topics.add(s.topic());
    if (s.retryTopic() != null) {
      topics.add(s.retryTopic());
    }
    try {
      consumer.subscribe(topics, new Listener());
      log.info("worker '{}': subscribed to {}", s.name(), topics);
      nextCommitNanos = System.nanoTime() + s.commitInterval().toNanos();
      while (!closing) {
        boolean allPaused = applyPauses();
        ConsumerRecords<byte[], byte[]> records;
        try {
          if (allPaused) {
            waitForCapacity();
            records = consumer.poll(Duration.ZERO);
          } else {
            records = consumer.poll(s.pollTimeout());
          }
        } catch (WakeupException e) {
          continue;
        }
        if (!records.isEmpty()) {
          accept(records);
        }
        if (System.nanoTime() - nextCommitNanos >= 0) {
          commitAsync();
          nextCommitNanos = System.nanoTime() + s.commitInterval().toNanos();
        }
      }
    } catch (Throwable t) {
      failure = t;
      log.error("worker '{}' stopped on an error: {}", s.name(), t.toString(), t);
    } finally {
      closing = true;
      try {
        finishAndCommit(new ArrayList<>(windows.keySet()), "close");
      } catch (RuntimeException e) {
        log.warn("worker '{}': final commit failed: {}", s.name(), e.toString());
      }
      try {
        consumer.close(s.closeTimeout());
      } catch (RuntimeException e) {
        log.warn("worker '{}': closing the consumer failed: {}", s.name(), e.toString());
      }
      stopEverything();
      log.info("worker '{}' closed: {}", s.name(), stats());
    }
  }

  private void stopEverything() {
    stopRunners = true;
    for (Runner r : runners) {
      r.thread.interrupt();
    }
    scheduler.shutdownNow();
    try {
      if (ownsProducer) {
        producer.close(s.closeTimeout());
      } else {
        producer.flush();
      }
    } catch (RuntimeException e) {
      log.warn("worker '{}': closing the producer failed: {}", s.name(), e.toString());
    }
  }

  /** Every partition is paused: wait a little (a handler thread wakes us when capacity frees up). */
  private void waitForCapacity() {
    pollWaiting = true;
    try {
      if (capacityPaused && pending.get() <= resumeThreshold()) {
        return;
      }
      LockSupport.parkNanos(Math.min(s.pollTimeout().toNanos(), TimeUnit.MILLISECONDS.toNanos(20)));
    } finally {
      pollWaiting = false;
    }
  }

  private long resumeThreshold() {
    return Math.max(1, (long) s.maxPendingRecords() * 3 / 4);
  }

  /** Pauses and resumes partitions; returns true when every assigned partition is paused. */
  private boolean applyPauses() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return false;
    }
    long p = pending.get();
    if (p >= s.maxPendingRecords()) {
      capacityPaused = true;
    } else if (p <= resumeThreshold()) {
      capacityPaused = false;
    }
    long now = s.clock().millis();
    Set<TopicPartition> desired = new HashSet<>();
    for (PartitionWindow w : windows.values()) {
      w.advance();
    }
    for (TopicPartition tp : assigned) {
      Long until = delayedUntil.get(tp);
      if (until != null && until <= now) {
        delayedUntil.remove(tp);
        until = null;
      }
      PartitionWindow w = windows.get(tp);
      if (closing || capacityPaused || until != null
          || (w != null && w.size() >= s.maxPendingPerPartition())) {
        desired.add(tp);
      }
    }
    Set<TopicPartition> paused = consumer.paused();
    List<TopicPartition> toPause = new ArrayList<>();
    for (TopicPartition tp : desired) {
      if (!paused.contains(tp)) {
        toPause.add(tp);
      }
    }
    List<TopicPartition> toResume = new ArrayList<>();
    for (TopicPartition tp : paused) {
      if (assigned.contains(tp) && !desired.contains(tp)) {
        toResume.add(tp);
      }
    }
    if (!toPause.isEmpty()) {
      consumer.pause(toPause);
    }
    if (!toResume.isEmpty()) {
      consumer.resume(toResume);
    }
    return desired.size() == assigned.size();
  }

  private void accept(ConsumerRecords<byte[], byte[]> records) {
    long now = s.clock().millis();
    for (TopicPartition tp : records.partitions()) {
      PartitionWindow w = windows.computeIfAbsent(tp, PartitionWindow::new);
      boolean retryTopic = tp.topic().equals(s.retryTopic());
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        Records.Origin origin;
        if (retryTopic) {
          long notBefore = Records.longHeader(r.headers(), KafkaHeaders.RETRY_NOT_BEFORE, 0);
          if (notBefore > now) {
            // Not due yet: read it again once due; later records of this partition wait behind it.
            consumer.seek(tp, r.offset());
            delayedUntil.put(tp, notBefore);
            break;
          }
          String ot = Records.header(r.headers(), KafkaHeaders.RETRY_ORIGINAL_TOPIC);
          origin = ot == null ? new Records.Origin(r.topic(), r.partition(), r.offset())
              : new Records.Origin(ot,
                  (int) Records.longHeader(r.headers(), KafkaHeaders.RETRY_ORIGINAL_PARTITION, -1),
                  Records.longHeader(r.headers(), KafkaHeaders.RETRY_ORIGINAL_OFFSET, -1));
        } else {
          origin = new Records.Origin(r.topic(), r.partition(), r.offset());
        }
        String key = r.key() == null ? "\u0000" + tp : new String(r.key(), StandardCharsets.UTF_8);
        WorkItem item = new WorkItem(r, w, key, origin);
        w.add(item);
        pending.incrementAndGet();
        received.increment();
        submit(item);
      }
    }
  }

  private void commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWindow w : windows.values()) {
      long next = w.advance();
      if (next > w.commitRequested) {
        offsets.put(w.tp, new OffsetAndMetadata(next));
        w.commitRequested = next;
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error == null) {
        commits.increment();
        committed.forEach((tp, om) -> {
          PartitionWindow w = windows.get(tp);
          if (w != null) {
            w.commitAcked = Math.max(w.commitAcked, om.offset());
          }
        });
      } else {
        log.debug("worker '{}': offset commit failed, will retry: {}", s.name(), error.toString());
        committed.keySet().forEach(tp -> {
          PartitionWindow w = windows.get(tp);
          if (w != null) {
            w.commitRequested = w.commitAcked;
          }
        });
      }
    });
  }

  /**
   * For revoked partitions and on close: drop what did not start, wait for what runs, commit the
   * final prefix, forget the windows.
   */
  private void finishAndCommit(Collection<TopicPartition> partitions, String why) {
    List<PartitionWindow> ws = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionWindow w = windows.get(tp);
      if (w != null) {
        ws.add(w);
      }
      delayedUntil.remove(tp);
    }
    if (ws.isEmpty()) {
      return;
    }
    for (PartitionWindow w : ws) {
      dropWindow(w);
    }
    long deadline = System.nanoTime() + s.closeTimeout().toNanos();
    boolean active = true;
    while (active && System.nanoTime() - deadline < 0) {
      active = false;
      for (PartitionWindow w : ws) {
        if (w.hasActive()) {
          active = true;
          break;
        }
      }
      if (active) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
    }
    if (active) {
      log.warn("worker '{}': records of {} still running after {} ({}); their outcomes are abandoned and they will be read again",
          s.name(), partitions, s.closeTimeout(), why);
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWindow w : ws) {
      long next = w.advance();
      if (next > w.commitAcked) {
        offsets.put(w.tp, new OffsetAndMetadata(next));
      }
    }
    try {
      if (!offsets.isEmpty()) {
        try {
          consumer.commitSync(offsets, s.closeTimeout());
        } catch (WakeupException e) {
          // close() woke the consumer while this thread was not polling: the wake-up is spent now.
          consumer.commitSync(offsets, s.closeTimeout());
        }
        commits.increment();
      }
      log.info("worker '{}': {} partitions {}: committed {}", s.name(), why, partitions, offsets);
    } catch (KafkaException e) {
      log.warn("worker '{}': commit on {} of {} failed ({}); the records will be read again", s.name(), why, offsets, e.toString());
    } finally {
      for (PartitionWindow w : ws) {
        windows.remove(w.tp);
      }
    }
  }

  /** Marks a window revoked and drops its records in a backoff; handler threads drop the queued ones. */
  private void dropWindow(PartitionWindow w) {
    w.revoked = true;
    for (WorkItem item : w.items) {
      if (item.state.get() == WorkItem.BACKOFF) {
        finish(item, WorkItem.DROPPED);
      }
    }
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      finishAndCommit(partitions, "revoked");
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionWindow previous = windows.put(tp, new PartitionWindow(tp));
        if (previous != null) {
          // Assigned again without a revocation in between: the consumer starts over from the
          // committed offset, so what the old window still holds will be read again.
          dropWindow(previous);
        }
      }
      if (!partitions.isEmpty()) {
        log.info("worker '{}': assigned {}", s.name(), partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionWindow w = windows.remove(tp);
        if (w != null) {
          dropWindow(w);
        }
        delayedUntil.remove(tp);
      }
      log.warn("worker '{}': lost {} (no commit; their records will be read again)", s.name(), partitions);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lanes and handler threads

  private static final class Lane {
    final String key;
    final java.util.ArrayDeque<WorkItem> items = new java.util.ArrayDeque<>(2);

    Lane(String key) {
      this.key = key;
    }
  }

  private static final class Run {
    final WorkItem item;
    final Lane lane;
    final long startNanos;
    final AtomicBoolean claimed = new AtomicBoolean();

    Run(WorkItem item, Lane lane, long startNanos) {
      this.item = item;
      this.lane = lane;
      this.startNanos = startNanos;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  private final class Runner implements Runnable {
    final Thread thread;
    volatile Run current;
    volatile boolean abandoned;

    Runner() {
      this.thread = new Thread(this, "reprocess-worker-" + s.name() + "-handler-" + runnerIds.incrementAndGet());
      this.thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (!abandoned && !stopRunners) {
        Lane lane;
        try {
          lane = ready.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          continue;
        }
        if (lane != null) {
          runLane(this, lane);
        }
      }
    }
  }

  private void startRunner() {
    Runner r = new Runner();
    runners.add(r);
    r.thread.start();
  }

  private void submit(WorkItem item) {
    boolean[] becameActive = new boolean[1];
    Lane lane = lanes.compute(item.laneKey, (k, l) -> {
      if (l == null) {
        l = new Lane(k);
        becameActive[0] = true;
      }
      l.items.addLast(item);
      return l;
    });
    if (becameActive[0]) {
      ready.add(lane);
    }
  }

  private WorkItem head(Lane lane) {
    WorkItem[] head = new WorkItem[1];
    lanes.computeIfPresent(lane.key, (k, l) -> {
      head[0] = l.items.peekFirst();
      return l;
    });
    return head[0];
  }

  /** Removes the lane's head; returns the next head, or null when the lane is now empty (and gone). */
  private WorkItem advance(Lane lane) {
    WorkItem[] head = new WorkItem[1];
    lanes.compute(lane.key, (k, l) -> {
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

  private void runLane(Runner self, Lane lane) {
    WorkItem item = head(lane);
    int budget = LANE_BUDGET;
    while (item != null) {
      if (item.window.revoked || closing || item.isTerminal()) {
        finish(item, WorkItem.DROPPED);
        item = advance(lane);
        continue;
      }
      if (item.event == null) {
        try {
          item.event = EventJson.fromBytes(item.record.value() == null ? new byte[0] : item.record.value());
        } catch (RuntimeException e) {
          poison.increment();
          deadLetterPoison(item, e);
          item = advance(lane);
          continue;
        }
      }
      // Claim the record, then look at the revocation flag: the poll thread sets the flag, then looks
      // at the states, so either it sees RUNNING and waits for this handler, or this thread sees the flag.
      if (!item.state.compareAndSet(WorkItem.QUEUED, WorkItem.RUNNING) || item.window.revoked || closing) {
        finish(item, WorkItem.DROPPED);
        item = advance(lane);
        continue;
      }
      Run run = new Run(item, lane, System.nanoTime());
      self.current = run;
      Outcome outcome = null;
      Throwable error = null;
      try {
        outcome = s.handler().handle(item.event);
      } catch (Throwable t) {
        error = t;
      }
      self.current = null;
      Thread.interrupted();
      if (!run.claim()) {
        return; // The watchdog timed this attempt out, handed the lane on and replaced this thread.
      }
      boolean parked;
      if (error == null) {
        if (outcome == Outcome.SKIPPED) {
          skipped.increment();
        } else {
          succeeded.increment();
        }
        if (log.isTraceEnabled()) {
          log.trace("job '{}': event {} (asset {}) attempt {}: {}", item.event.jobName(), item.event.eventId(),
              item.event.assetId(), item.event.attempt(), outcome == null ? Outcome.SUCCEEDED : outcome);
        }
        finish(item, WorkItem.DONE);
        parked = false;
      } else {
        parked = onFailure(item, lane, unwrap(error));
      }
      if (parked) {
        return;
      }
      item = advance(lane);
      if (item != null && --budget == 0) {
        ready.add(lane);
        return;
      }
    }
  }

  private void watchdog() {
    long now = System.nanoTime();
    for (Runner r : runners) {
      Run run = r.current;
      if (run != null && now - run.startNanos > handlerTimeoutNanos && run.claim()) {
        r.abandoned = true;
        runners.remove(r);
        timedOut.increment();
        WorkItem item = run.item;
        log.warn("job '{}': event {} (asset {}) attempt {} ran past the handler time limit {}; interrupting it",
            item.event.jobName(), item.event.eventId(), item.event.assetId(), item.event.attempt(), s.handlerTimeout());
        r.thread.interrupt();
        if (!stopRunners) {
          startRunner();
        }
        boolean parked = onFailure(item, run.lane, new HandlerTimeoutException(
            "job '" + item.event.jobName() + "': event " + item.event.eventId() + " attempt " + item.event.attempt()
                + " ran past the handler time limit of " + s.handlerTimeout()));
        if (!parked && advance(run.lane) != null) {
          ready.add(run.lane);
        }
      }
    }
  }

  /** Returns true when the lane is parked in a backoff (its owner lets go of it). */
  private boolean onFailure(WorkItem item, Lane lane, Throwable error) {
    failedAttempts.increment();
    ReprocessEvent event = item.event;
    if (item.window.revoked || closing) {
      finish(item, WorkItem.DROPPED);
      return false;
    }
    int attempt = event.attempt();
    if (attempt < s.retry().maxAttempts() && s.retry().isRetriable(error)) {
      Duration backoff = s.retry().backoff(attempt, ThreadLocalRandom.current());
      if (s.retryTopic() == null || backoff.toNanos() <= maxInPlaceBackoffNanos) {
        if (log.isTraceEnabled()) {
          log.trace("job '{}': event {} attempt {} failed ({}); retrying in {}", event.jobName(), event.eventId(),
              attempt, DeadLetters.describe(error), backoff);
        }
        item.event = event.nextAttempt();
        item.state.set(WorkItem.BACKOFF);
        retriedInPlace.increment();
        try {
          scheduler.schedule(() -> {
            item.state.compareAndSet(WorkItem.BACKOFF, WorkItem.QUEUED);
            ready.add(lane);
          }, backoff.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
          finish(item, WorkItem.DROPPED); // shutting down
          return false;
        }
        return true;
      }
      publishRetry(item, event.nextAttempt(), s.clock().millis() + backoff.toMillis());
      return false;
    }
    if (log.isTraceEnabled()) {
      log.trace("job '{}': event {} failed after {} attempts ({}); dead-lettering it", event.jobName(), event.eventId(),
          attempt, DeadLetters.describe(error));
    }
    ProducerRecord<byte[], byte[]> record = Records.deadLetter(s.deadLetterTopic(), item.record.key(), EventJson.toBytes(event),
        Records.eventHeaders(event),
        Records.Failure.of(event.jobName(), error, attempt, s.clock().instant()),
        item.origin);
    publish(item, record, deadLettered);
    return false;
  }

  private void publishRetry(WorkItem item, ReprocessEvent next, long notBeforeMillis) {
    RecordHeaders headers = Records.eventHeaders(next);
    headers.add(KafkaHeaders.RETRY_NOT_BEFORE, Records.utf8(Long.toString(notBeforeMillis)));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_TOPIC, Records.utf8(item.origin.topic()));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_PARTITION, Records.utf8(Integer.toString(item.origin.partition())));
    headers.add(KafkaHeaders.RETRY_ORIGINAL_OFFSET, Records.utf8(Long.toString(item.origin.offset())));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(s.retryTopic(), null,
        Records.utf8(next.assetId()), EventJson.toBytes(next), headers);
    publish(item, record, sentToRetryTopic);
  }

  private void deadLetterPoison(WorkItem item, RuntimeException error) {
    ConsumerRecord<byte[], byte[]> r = item.record;
    log.warn("worker '{}': record {}-{}@{} is not an event ({}); sending it to '{}'", s.name(), r.topic(), r.partition(),
        r.offset(), error.getMessage(), s.deadLetterTopic());
    ProducerRecord<byte[], byte[]> record = Records.deadLetter(s.deadLetterTopic(), r.key(), r.value(), r.headers(),
        Records.Failure.of(Records.header(r.headers(), KafkaHeaders.JOB), error, 0, s.clock().instant()),
        item.origin);
    publish(item, record, deadLettered);
  }

  /** Sends and marks the item DONE once acknowledged; retries the send until then unless the partition went away. */
  private void publish(WorkItem item, ProducerRecord<byte[], byte[]> record, LongAdder counter) {
    item.state.set(WorkItem.PUBLISHING);
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          counter.increment();
          finish(item, WorkItem.DONE);
        } else {
          republishLater(item, record, counter, error);
        }
      });
    } catch (RuntimeException e) {
      republishLater(item, record, counter, e);
    }
  }

  private void republishLater(WorkItem item, ProducerRecord<byte[], byte[]> record, LongAdder counter, Throwable error) {
    if (item.window.revoked || stopRunners) {
      log.warn("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; the record will be read again",
          s.name(), record.topic(), error.toString(), item.record.topic(), item.record.partition(), item.offset());
      finish(item, WorkItem.DROPPED);
      return;
    }
    log.error("worker '{}': publishing to '{}' failed ({}) for {}-{}@{}; trying again in {}", s.name(), record.topic(),
        error.toString(), item.record.topic(), item.record.partition(), item.offset(), s.publishRetryBackoff());
    try {
      scheduler.schedule(() -> publish(item, record, counter), s.publishRetryBackoff().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException rejected) {
      finish(item, WorkItem.DROPPED);
    }
  }

  /** Moves the item to a terminal state once; returns false if it already was terminal. */
  private boolean finish(WorkItem item, int terminal) {
    int st;
    while ((st = item.state.get()) < WorkItem.DONE) {
      if (item.state.compareAndSet(st, terminal)) {
        long left = pending.decrementAndGet();
        if (pollWaiting && left <= resumeThreshold()) {
          Thread t = pollThread;
          if (t != null) {
            LockSupport.unpark(t);
          }
        }
        return true;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
