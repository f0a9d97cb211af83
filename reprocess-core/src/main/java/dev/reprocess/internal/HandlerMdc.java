package dev.reprocess.internal;

import dev.reprocess.MdcKeys;
import dev.reprocess.ReprocessEvent;
import org.slf4j.MDC;

/**
 * Sets the {@link MdcKeys} of one event on the calling thread for the length of a handler call and
 * puts back what the thread had before. Not thread-safe: one scope per call, closed on the thread
 * that opened it.
 */
final class HandlerMdc implements AutoCloseable {

  private final String job;
  private final String shard;
  private final String event;

  private HandlerMdc() {
    this.job = MDC.get(MdcKeys.JOB);
    this.shard = MDC.get(MdcKeys.SHARD);
    this.event = MDC.get(MdcKeys.EVENT);
  }

  /** Remembers the thread's values of the keys, then sets the event's. */
  static HandlerMdc open(ReprocessEvent e) {
    HandlerMdc scope = new HandlerMdc();
    MDC.put(MdcKeys.JOB, e.jobName());
    MDC.put(MdcKeys.SHARD, e.shardId());
    MDC.put(MdcKeys.EVENT, e.eventId());
    return scope;
  }

  /** Puts back the values the thread had before {@link #open}, removing the keys it did not have. */
  @Override
  public void close() {
    restore(MdcKeys.JOB, job);
    restore(MdcKeys.SHARD, shard);
    restore(MdcKeys.EVENT, event);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
