package dev.reprocess;

/**
 * The SLF4J {@link org.slf4j.MDC} keys set around every call of an {@link EventHandler}, on the
 * in-process path (a job built with a handler) and on the Kafka worker alike, so that whatever the
 * handler logs names its event. They are set on the library's thread that runs the handler just
 * before the call, on every attempt: during a call they are always its own event's, whatever was
 * set under them before. After the call the event key is removed; the job and shard keys stay on
 * that thread until its next call sets them (so the library's own lines about the event's outcome
 * name them too), and no other thread gets them. A thread the handler starts itself does not
 * inherit them (copy {@code MDC.getCopyOfContextMap()} if it needs them).
 */
public final class MdcKeys {

  /** The event's {@link ReprocessEvent#jobName() job name}: {@value}. */
  public static final String JOB = "reprocess.job";
  /** The event's {@link ReprocessEvent#shardId() shard id}: {@value}. */
  public static final String SHARD = "reprocess.shard";
  /** The event's {@link ReprocessEvent#eventId() event id}: {@value}. */
  public static final String EVENT = "reprocess.event";

  private MdcKeys() {}
}
