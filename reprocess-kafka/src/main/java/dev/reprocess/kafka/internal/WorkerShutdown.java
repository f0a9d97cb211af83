package dev.reprocess.kafka.internal;

/** The two stages of a worker's shutdown, read by every thread of the worker. */
final class WorkerShutdown {
  /** No record starts any more; records of the assigned partitions are dropped or finished. */
  volatile boolean closing;
  /** The handler threads and the scheduler stop; publishes that fail are no longer retried. */
  volatile boolean stopped;
}
