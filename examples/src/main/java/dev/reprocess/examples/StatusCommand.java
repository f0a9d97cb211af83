package dev.reprocess.examples;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.Checkpoint;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status [JOB]}: a job's progress from its checkpoints in Cassandra, or the jobs that have some. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Progress of JOB from its checkpoints (CassandraCheckpointStore); without JOB, the jobs that have"
        + " checkpoints.")
final class StatusCommand extends BaseCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "Job name, e.g. backfill-sha256.")
  String job;

  @Option(names = "--shards", paramLabel = "N", defaultValue = "10",
      description = "List up to N unfinished shards with their cursors (default: ${DEFAULT-VALUE}).")
  int shards;

  @Override
  Set<Backends.Kind> backends() {
    return EnumSet.of(Backends.Kind.CASSANDRA);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    PrintWriter out = out();
    if (job == null) {
      List<String> jobs = new ArrayList<>();
      for (Row row : catalog.session().execute(SimpleStatement.newInstance("SELECT DISTINCT job_name FROM "
          + catalog.keyspace() + "." + CassandraCheckpointStore.DEFAULT_TABLE))) {
        jobs.add(row.getString(0));
      }
      jobs.sort(null);
      if (jobs.isEmpty()) {
        out.println("no job has checkpoints in keyspace " + catalog.keyspace() + " yet");
      }
      for (String name : jobs) {
        out.println(summary(name, catalog.checkpointStore().load(name)));
      }
      return EXIT_OK;
    }
    Map<String, Checkpoint> checkpoints = catalog.checkpointStore().load(job);
    if (checkpoints.isEmpty()) {
      out.println("job '" + job + "' has no checkpoints in keyspace " + catalog.keyspace()
          + " (never run, or restarted); see `status` for the jobs that have some");
      return EXIT_INCOMPLETE;
    }
    report(job, checkpoints).print(out);
    List<Checkpoint> open = checkpoints.values().stream().filter(c -> !c.completed())
        .sorted(Comparator.comparing(Checkpoint::shardId)).toList();
    for (Checkpoint c : open.subList(0, Math.min(shards, open.size()))) {
      out.printf("  unfinished shard %s: %s selected, cursor %s, updated %s%n", c.shardId(),
          Report.number(c.selected()), c.cursor() == null ? "-" : c.cursor().value(), c.updatedAt());
    }
    if (open.size() > shards) {
      out.printf("  ... and %s more unfinished shards%n", Report.number(open.size() - shards));
    }
    return EXIT_OK;
  }

  static Report report(String job, Map<String, Checkpoint> checkpoints) {
    CheckpointTotals t = CheckpointTotals.of(checkpoints);
    return new Report("status of job '" + job + "' (from its checkpoints, all runs)")
        .row("shards with a checkpoint", t.shards())
        .row("completed", t.completed())
        .row("in progress", t.shards() - t.completed())
        .row("selected", t.selected())
        .row("succeeded", t.succeeded())
        .row("skipped", t.skipped())
        .row("dead-lettered", t.deadLettered())
        .row("last checkpoint", t.lastWritten());
  }

  private static String summary(String job, Map<String, Checkpoint> checkpoints) {
    CheckpointTotals t = CheckpointTotals.of(checkpoints);
    return String.format(java.util.Locale.ROOT, "%s: %s shards checkpointed, %s completed, %s assets selected",
        job, Report.number(t.shards()), Report.number(t.completed()), Report.number(t.selected()));
  }
}
