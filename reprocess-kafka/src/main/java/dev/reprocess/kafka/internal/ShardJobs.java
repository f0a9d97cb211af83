package dev.reprocess.kafka.internal;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseLostException;

/** Names of shard jobs, and what a shard job's report means for its host. */
public final class ShardJobs {
  private ShardJobs() {}

  /**
   * The name of the job that runs one shard of a distributed job, which keys the shard's
   * checkpoint and lease: {@code <job>.<shard id with every character outside [A-Za-z0-9._-]
   * replaced by '_', at most 40 characters>-<first 8 hex digits of SHA-256 of the shard id>}.
   */
  public static String name(String job, String shardId) {
    String readable = shardId.replaceAll("[^A-Za-z0-9._-]", "_");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    return job + "." + readable + "-" + ShardRecord.sha256(shardId).substring(0, 8);
  }

  /** What the host does once a shard job ended. */
  public enum Verdict {
    /** The shard is complete: commit its record. */
    COMPLETE,
    /** Another host holds the shard's lease (or took it over): try again later. */
    HELD_ELSEWHERE,
    /** The host cancelled it (it lost the shard's partition, or stops): leave the record. */
    STOPPED,
    /** It failed: the host fails with it. */
    FAILED
  }

  /** The verdict on a shard job's final report. */
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
