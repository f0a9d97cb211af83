package dev.reprocess.kafka.internal;

import java.util.ArrayDeque;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one assigned partition that were read and not yet committed, in offset order.
 * Only the poll thread touches it, except {@link #revoked}, which handler threads read.
 */
final class PartitionWindow {
  final TopicPartition partition;
  final ArrayDeque<WorkItem> items = new ArrayDeque<>();
  /** Offset to commit next: one past the last contiguous DONE record; -1 before any. */
  long next = -1;
  /** Highest offset a commit was requested for; -1 before any. */
  long commitRequested = -1;
  /** Highest offset a commit succeeded for; -1 before any. */
  long commitAcked = -1;
  volatile boolean revoked;

  PartitionWindow(TopicPartition partition) {
    this.partition = partition;
  }

  void add(WorkItem item) {
    items.addLast(item);
  }

  /**
   * Pops the DONE records at the head, handing each to {@code popped}; returns the offset to
   * commit, or -1 if none yet.
   */
  long advance(java.util.function.Consumer<WorkItem> popped) {
    WorkItem head;
    while ((head = items.peekFirst()) != null && head.state.get() == WorkItem.DONE) {
      next = head.offset() + 1;
      items.pollFirst();
      popped.accept(head);
    }
    return next;
  }

  boolean hasActive() {
    for (WorkItem item : items) {
      if (item.isActive()) {
        return true;
      }
    }
    return false;
  }

  int size() {
    return items.size();
  }
}
