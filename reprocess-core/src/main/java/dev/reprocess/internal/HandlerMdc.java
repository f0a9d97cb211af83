package dev.reprocess.internal;

import dev.reprocess.MdcKeys;
import dev.reprocess.ReprocessEvent;
import org.slf4j.MDC;

/**
 * Sets the {@link MdcKeys} of one event on a {@link HandlerPool} thread for the length of a
 * handler call. The event key is removed after the call; the job and shard keys stay on the pool
 * thread (the library's) until its next call changes them, so the engine's lines logged there
 * while the event settles name them too, and a call whose job and shard are its thread's last
 * costs two MDC reads instead of two writes and two removals. A call always sees its own event's
 * values, whatever was set under the keys before. Not thread-safe: one scope per call, closed on
 * the thread that opened it.
 */
final class HandlerMdc implements AutoCloseable {

  private static final HandlerMdc SCOPE = new HandlerMdc();

  private HandlerMdc() {}

  /** Sets the event's job, shard and event id. */
  static HandlerMdc open(ReprocessEvent e) {
    putIfOther(MdcKeys.JOB, e.jobName());
    putIfOther(MdcKeys.SHARD, e.shardId());
    MDC.put(MdcKeys.EVENT, e.eventId());
    return SCOPE;
  }

  private static void putIfOther(String key, String value) {
    if (!value.equals(MDC.get(key))) {
      MDC.put(key, value);
    }
  }

  /** Removes the event key. */
  @Override
  public void close() {
    MDC.remove(MdcKeys.EVENT);
  }
}
