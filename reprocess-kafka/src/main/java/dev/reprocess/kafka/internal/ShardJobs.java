package dev.reprocess.kafka.internal;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseLostException;

/** Names of partition and host jobs, and what a host job's report means for its host. */
public final class ShardJobs {
  private ShardJobs() {}

  /**
   * The name of the job of one shard-topic partition, which keys the checkpoints and the lease of
   * the shards whose records the partition holds: {@code <job>.p<partition>}.
   */
  public static String partitionJob(String job, int partition) {
    return job + ".p" + partition;
  }

  /**
   * The name of a host's job over the shards of its partitions: {@code <job>.host-<n>}, where {@code
   * n} numbers the hosts of the job in one JVM (1 for the first; usually the only one). Every host
   * job of a host has it (one at a time), so its meters continue from one to the next; it names the
   * run's threads, meters and log lines, and its checkpoints and leases are its partitions' ({@link
   * #partitionJob}).
   */
  public static String hostJob(String job, int n) {
    return job + ".host-" + n;
  }

  /** What the host does once a host job ended. */
  public enum Verdict {
    /** Its shards are complete: commit their records. */
    COMPLETE,
    /** Another host holds a partition's lease (or took it over): try again later. */
    HELD_ELSEWHERE,
    /** The host cancelled it (it lost a partition, or stops): run what is left again, or leave it. */
    STOPPED,
    /** It failed: the host fails with it. */
    FAILED
  }

  /** The verdict on a host job's final report. */
  public static Verdict verdict(JobReport report) {
    if (report.status() == JobStatus.COMPLETED) {
      return Verdict.COMPLETE;
    }
    if (report.status() == JobStatus.CANCELLED) {
      return Verdict.STOPPED;
    }
    for (Throwable t = report.failureCause(); t != null; t = t.getCause()) {
      if (t instanceof LeaseHeldException || t instanceof LeaseLostException) {
        return Verdict.HELD_ELSEWHERE;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Verdict.FAILED;
  }
}
