package dev.reprocess.examples;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code demo [PATH]}: the main job as a newcomer meets it: ingest PATH (default /usr/share) unless
 * it was ingested completely before, then run backfill (job a). Killed midway, the same command
 * resumes: the ingest is skipped once complete (it is idempotent anyway), the job continues from its
 * checkpoints. Once the backfill has completed, running it again reads nothing and says so, with
 * the date and totals of the earlier run; {@code --fresh} starts over (ingest again, the backfill's
 * checkpoints deleted).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Ingest PATH (default /usr/share) if not done yet, then run backfill (job a) on it.")
final class DemoCommand extends BaseCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Directory to ingest (default: /usr/share).")
  Path root = IngestCommand.DEFAULT_ROOT;

  @Option(names = "--reingest", description = "Ingest again even if PATH was ingested completely before.")
  boolean reingest;

  @Option(names = "--restart", description = "Start the backfill over instead of resuming.")
  boolean restart;

  @Option(names = "--fresh", description = "Start over as on a first run: ingest PATH again and delete the"
      + " backfill's checkpoints before running it (--reingest --restart). Deletes nothing else: the other jobs'"
      + " checkpoints and the servers' data directory are kept.")
  boolean fresh;

  @Option(names = "--max-rate", paramLabel = "PER_SECOND", defaultValue = "0",
      description = "Backfill at most this many assets per second; 0 = no limit (default).")
  double maxRate;

  @Override
  Set<Backends.Kind> backends() {
    // Cassandra first, on its own: the ingest (and so Elasticsearch) is needed only the first time.
    return EnumSet.of(Backends.Kind.CASSANDRA);
  }

  @Override
  void checkOptions() {
    OptionChecks.readableDirectory("PATH", root);
    OptionChecks.maxRate("--max-rate", maxRate);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) throws Exception {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    if (fresh) {
      out().printf("--fresh: ingesting %s again and deleting the checkpoints of job '%s' before running it;"
          + " nothing else is deleted%n", root.toAbsolutePath().normalize(), BackfillCommand.JOB);
    }
    boolean ingestAgain = reingest || fresh;
    Optional<Map.Entry<Long, java.time.Instant>> previous =
        ingestAgain ? Optional.empty() : Ingester.lastComplete(catalog, root);
    if (previous.isPresent()) {
      out().printf("%s was ingested completely before (%s files, %s): skipping the ingest (--reingest to redo it)%n",
          root.toAbsolutePath().normalize(), Report.number(previous.get().getKey()), previous.get().getValue());
    } else {
      backends.require(EnumSet.of(Backends.Kind.ELASTICSEARCH));
      Report ingest = IngestCommand.ingest(catalog, backends, connection, root, progressMode(), out());
      ingest.print(out());
      if (!ingest.ok()) {
        return ingest.exitCode();
      }
    }
    BackfillCommand backfill = new BackfillCommand();
    backfill.connection = connection;
    backfill.restart = restart || fresh;
    backfill.startOver = commandLineWith("--fresh");
    backfill.reset = resetCommandLine(BackfillCommand.JOB);
    backfill.maxRate = maxRate;
    backfill.concurrency = 8;
    Report report = backfill.backfill(catalog, lifecycle, progressMode(), out());
    report.print(out());
    return report.exitCode();
  }
}
