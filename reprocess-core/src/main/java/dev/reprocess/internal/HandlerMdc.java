package dev.reprocess.internal;

import dev.reprocess.MdcKeys;
import dev.reprocess.ReprocessEvent;
import org.slf4j.MDC;

/**
 * Sets the {@link MdcKeys} of one event on a {@link HandlerPool} thread for the length of a
 * handler call, and removes them after it. A pool thread is the library's: outside a call it has
 * none of these keys (each call removes them, also what a handler may have set under them), so
 * there is nothing to remember and put back. Not thread-safe: one scope per call, closed on the
 * thread that opened it.
 */
final class HandlerMdc implements AutoCloseable {

  private static final HandlerMdc SCOPE = new HandlerMdc();

  private HandlerMdc() {}

  /** Sets the event's job, shard and event id. */
  static HandlerMdc open(ReprocessEvent e) {
    MDC.put(MdcKeys.JOB, e.jobName());
    MDC.put(MdcKeys.SHARD, e.shardId());
    MDC.put(MdcKeys.EVENT, e.eventId());
    return SCOPE;
  }

  /** Removes the keys. */
  @Override
  public void close() {
    MDC.remove(MdcKeys.JOB);
    MDC.remove(MdcKeys.SHARD);
    MDC.remove(MdcKeys.EVENT);
  }
}
