package dev.reprocess.kafka.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assigned partitions' windows of records read and not yet committed, their commits, pauses
 * and rebalances. The offset committed is one past the last record of a window's contiguous final
 * prefix (succeeded, skipped, or acknowledged by the retry or dead-letter topic), so a commit never
 * passes a record whose outcome is not final: the at-least-once rule of the worker.
 *
 * <p>Pauses: a partition pauses while {@link PendingRecords} says every partition must, while its
 * window holds {@code maxPendingPerPartition} records, while the host paused the worker ({@link
 * WorkerControl}; partitions assigned then start paused), or while a retry-topic record waits for its
 * not-before time. Revocation and close drop the records that did not start, wait (up to {@code
 * closeTimeout}, real time) for running handlers and pending publishes, and commit synchronously;
 * dropped records are read again by the partition's next owner. Lost partitions are dropped
 * without a commit.
 *
 * <p>Poll thread only (the rebalance callbacks run inside {@code poll}); handler threads only read
 * a window's {@code revoked} flag and move item states.
 */
final class PartitionOffsets implements ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(PartitionOffsets.class);

  private final WorkerSettings settings;
  private final Consumer<byte[], byte[]> consumer;
  private final PendingRecords pending;
  private final WorkerCounters counters;
  private final WorkerShutdown shutdown;
  private final WorkerControl control;
  /** Null when the worker publishes no outcome counts. */
  private final OutcomeReports reports;
  private final Map<TopicPartition, PartitionWindow> windows = new HashMap<>();
  /** Retry-topic partitions paused until a record's not-before time, in epoch millis of the clock. */
  private final Map<TopicPartition, Long> delayedUntil = new HashMap<>();

  PartitionOffsets(WorkerSettings settings, Consumer<byte[], byte[]> consumer, PendingRecords pending,
      WorkerCounters counters, WorkerShutdown shutdown, WorkerControl control, OutcomeReports reports) {
    this.settings = settings;
    this.consumer = consumer;
    this.pending = pending;
    this.counters = counters;
    this.shutdown = shutdown;
    this.control = control;
    this.reports = reports;
  }

  /** A record left its window final: its outcome is counted for the next report. */
  private void popped(WorkItem item) {
    if (reports != null) {
      reports.count(item);
    }
  }

  /** The window of a partition, created at its first record. */
  PartitionWindow window(TopicPartition partition) {
    return windows.computeIfAbsent(partition, PartitionWindow::new);
  }

  /** Pauses the partition until the clock reads {@code notBeforeMillis}. */
  void delayUntil(TopicPartition partition, long notBeforeMillis) {
    delayedUntil.put(partition, notBeforeMillis);
  }

  /** Pauses and resumes partitions; returns true when every assigned partition is paused. */
  boolean applyPauses() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return false;
    }
    boolean capacityPaused = pending.pauseForCapacity();
    for (PartitionWindow w : windows.values()) {
      w.advance(this::popped);
    }
    Set<TopicPartition> desired = new HashSet<>();
    for (TopicPartition partition : assigned) {
      if (shutdown.closing || capacityPaused || control.isPaused() || isDelayed(partition, settings.clock())
          || windowIsFull(partition)) {
        desired.add(partition);
      }
    }
    Set<TopicPartition> paused = consumer.paused();
    List<TopicPartition> toPause = new ArrayList<>();
    for (TopicPartition partition : desired) {
      if (!paused.contains(partition)) {
        toPause.add(partition);
      }
    }
    List<TopicPartition> toResume = new ArrayList<>();
    for (TopicPartition partition : paused) {
      if (assigned.contains(partition) && !desired.contains(partition)) {
        toResume.add(partition);
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

  private boolean isDelayed(TopicPartition partition, Clock clock) {
    Long until = delayedUntil.get(partition);
    if (until != null && until <= clock.millis()) {
      delayedUntil.remove(partition);
      return false;
    }
    return until != null;
  }

  private boolean windowIsFull(TopicPartition partition) {
    PartitionWindow w = windows.get(partition);
    return w != null && w.size() >= settings.maxPendingPerPartition();
  }

  /**
   * Requests a commit of every window's final prefix that moved since the last request; with an
   * outcomes topic, only once the outcome counts of those records are acknowledged there (else the
   * commit waits for the next interval).
   */
  void commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWindow w : windows.values()) {
      long next = w.advance(this::popped);
      if (next > w.commitRequested) {
        offsets.put(w.partition, new OffsetAndMetadata(next));
      }
    }
    if (offsets.isEmpty() || (reports != null && !reports.publish(settings.closeTimeout()))) {
      return;
    }
    offsets.forEach((partition, offset) -> windows.get(partition).commitRequested = offset.offset());
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error == null) {
        counters.commits.increment();
      } else {
        log.debug("worker '{}': offset commit failed, will retry: {}", settings.name(), error.toString());
      }
      committed.forEach((partition, offset) -> {
        PartitionWindow w = windows.get(partition);
        if (w == null) {
          return;
        }
        if (error == null) {
          w.commitAcked = Math.max(w.commitAcked, offset.offset());
        } else {
          w.commitRequested = w.commitAcked;
        }
      });
    });
  }

  /** On close: {@link #finishAndCommit} every assigned partition. */
  void finishAndCommitAll() {
    finishAndCommit(new ArrayList<>(windows.keySet()), "close");
  }

  /**
   * For revoked partitions and on close: drop what did not start, wait for what runs, commit the
   * final prefix, forget the windows.
   */
  private void finishAndCommit(Collection<TopicPartition> partitions, String why) {
    List<PartitionWindow> finishing = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      PartitionWindow w = windows.get(partition);
      if (w != null) {
        finishing.add(w);
      }
      delayedUntil.remove(partition);
    }
    if (finishing.isEmpty()) {
      return;
    }
    for (PartitionWindow w : finishing) {
      dropWindow(w);
    }
    if (!awaitNoneActive(finishing)) {
      log.warn("worker '{}': records of {} still running after {} ({}); their outcomes are abandoned and they will "
          + "be read again", settings.name(), partitions, settings.closeTimeout(), why);
    }
    try {
      commitFinalPrefixes(finishing, partitions, why);
    } finally {
      for (PartitionWindow w : finishing) {
        windows.remove(w.partition);
      }
    }
  }

  /** Waits up to {@code closeTimeout} (real time: threads end in real time) for running records. */
  private boolean awaitNoneActive(List<PartitionWindow> finishing) {
    long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    while (finishing.stream().anyMatch(PartitionWindow::hasActive)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    return true;
  }

  private void commitFinalPrefixes(List<PartitionWindow> finishing, Collection<TopicPartition> partitions, String why) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWindow w : finishing) {
      long next = w.advance(this::popped);
      if (next > w.commitAcked) {
        offsets.put(w.partition, new OffsetAndMetadata(next));
      }
    }
    if (reports != null && !reports.publish(settings.closeTimeout())) {
      log.warn("worker '{}': committing {} on {} without its outcome counts on '{}': they may miss these records",
          settings.name(), offsets, why, settings.outcomesTopic());
    }
    try {
      if (!offsets.isEmpty()) {
        try {
          consumer.commitSync(offsets, settings.closeTimeout());
        } catch (WakeupException e) {
          // close() woke the consumer while this thread was not polling: the wake-up is spent now.
          consumer.commitSync(offsets, settings.closeTimeout());
        }
        counters.commits.increment();
      }
      log.info("worker '{}': {} partitions {}: committed {}", settings.name(), why, partitions, offsets);
    } catch (KafkaException e) {
      log.warn("worker '{}': commit on {} of {} failed ({}); the records will be read again", settings.name(), why,
          offsets, e.toString());
    }
  }

  /** Marks a window revoked and drops its records in a backoff; handler threads drop the queued ones. */
  private void dropWindow(PartitionWindow w) {
    w.revoked = true;
    for (WorkItem item : w.items) {
      if (item.state.get() == WorkItem.BACKOFF) {
        pending.finish(item, WorkItem.DROPPED);
      }
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    finishAndCommit(partitions, "revoked");
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      PartitionWindow previous = windows.put(partition, new PartitionWindow(partition));
      if (previous != null) {
        // Assigned again without a revocation in between: the consumer starts over from the
        // committed offset, so what the old window still holds will be read again.
        dropWindow(previous);
      }
    }
    if (!partitions.isEmpty()) {
      if (control.isPaused()) {
        consumer.pause(partitions); // Before this poll fetches anything from them.
      }
      log.info("worker '{}': assigned {}{}", settings.name(), partitions, control.isPaused() ? " (paused)" : "");
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      PartitionWindow w = windows.remove(partition);
      if (w != null) {
        dropWindow(w);
      }
      delayedUntil.remove(partition);
    }
    log.warn("worker '{}': lost {} (no commit; their records will be read again)", settings.name(), partitions);
  }
}
