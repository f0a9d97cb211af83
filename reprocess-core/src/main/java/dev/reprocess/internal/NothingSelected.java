package dev.reprocess.internal;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ShardProgress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The loud zero: a selection that selected nothing is almost always a mistake (a bucketing that
 * does not produce the table's bucket values, a misspelled field, an empty id file), and a job that
 * says only "COMPLETED" hides it. This class words the warning, logs it at WARN and puts it in the
 * report. Stateless.
 */
final class NothingSelected {

  private static final Logger LOG = RunContext.LOG;

  private NothingSelected() {}

  /**
   * The report with the warning added, logged at WARN, when a completed run read every shard of the
   * selection (none was finished by an earlier run) and selected nothing; otherwise the report.
   */
  static JobReport annotate(JobSpec spec, JobReport report, List<ShardState> shards) {
    boolean resumed = shards.stream().anyMatch(s -> s.state == ShardProgress.State.ALREADY_COMPLETED);
    if (report.status() != JobStatus.COMPLETED || report.selected() != 0 || resumed) {
      return report;
    }
    String warning = warning(spec, report.shardsTotal());
    LOG.warn("{}{}", spec.logPrefix(), warning);
    List<String> warnings = new ArrayList<>(report.warnings());
    warnings.add(warning);
    return report.withWarnings(warnings);
  }

  /**
   * The warning for a selection of 0 assets, without the job's log prefix.
   *
   * @param shards the number of shards the selector listed
   */
  static String warning(JobSpec spec, int shards) {
    String listed = shards == 0 ? "it listed no shard"
        : "it listed " + shards + " shard" + (shards == 1 ? "" : "s") + " and none held an asset";
    return "0 assets selected by " + spec.selector().describe() + " (" + listed + "). If the table or index"
        + " holds data, the selection does not match it: check the window and the asset types; for Cassandra,"
        + " that the bucketing and bucketType produce the table's bucket values; for Elasticsearch, the query's"
        + " field names against the index mapping; for an id file, that it is not empty.";
  }
}
