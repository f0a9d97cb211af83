package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One record being worked on: its state moves QUEUED → RUNNING → (BACKOFF → QUEUED)* → PUBLISHING? → DONE, or DROPPED. */
final class WorkItem {
  static final int QUEUED = 0;
  static final int RUNNING = 1;
  static final int BACKOFF = 2;
  static final int PUBLISHING = 3;
  static final int DONE = 4;
  static final int DROPPED = 5;

  final ConsumerRecord<byte[], byte[]> record;
  final PartitionWindow window;
  final String laneKey;
  final Records.Origin origin;
  final AtomicInteger state = new AtomicInteger(QUEUED);
  /** Decoded by the runner that first takes the item; then only touched by the lane's owner. */
  ReprocessEvent event;
  /** How it became final: set just before its state moves to DONE, read by the poll thread after. */
  FinalOutcome outcome;

  WorkItem(ConsumerRecord<byte[], byte[]> record, PartitionWindow window, String laneKey, Records.Origin origin) {
    this.record = record;
    this.window = window;
    this.laneKey = laneKey;
    this.origin = origin;
  }

  long offset() {
    return record.offset();
  }

  boolean isTerminal() {
    return state.get() >= DONE;
  }

  boolean isActive() {
    int s = state.get();
    return s == RUNNING || s == PUBLISHING;
  }
}
