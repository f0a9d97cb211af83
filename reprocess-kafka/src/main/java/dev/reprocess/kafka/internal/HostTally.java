package dev.reprocess.kafka.internal;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.kafka.DistributedJob;

/** What one host's host jobs did, summed over their reports. Poll thread only. */
public final class HostTally {
  private int hostJobsRun;
  private int shardsCompleted;
  private long selected;
  private long succeeded;
  private long skipped;
  private long deadLettered;

  void add(JobReport report) {
    hostJobsRun++;
    selected += report.selected();
    succeeded += report.succeeded();
    skipped += report.skipped();
    deadLettered += report.deadLettered();
  }

  void completed(int shards) {
    shardsCompleted += shards;
  }

  /** "n host jobs run, m shards completed, s selected (...)": for the host's log lines. */
  String summary() {
    return hostJobsRun + " host jobs run, " + shardsCompleted + " shards completed, " + selected + " selected ("
        + succeeded + " succeeded, " + skipped + " skipped, " + deadLettered + " dead-lettered)";
  }

  DistributedJob.HostReport result(JobStatus status, Throwable failure) {
    return new DistributedJob.HostReport(status, hostJobsRun, shardsCompleted, selected, succeeded, skipped, deadLettered, failure);
  }
}
