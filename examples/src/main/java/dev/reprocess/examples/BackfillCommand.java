package dev.reprocess.examples;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobReport;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.AssetLoader;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run backfill} (job a): the SHA-256 of every image asset modified in a window, written back
 * as {@code metadata['sha256']}. Cassandra time-bucket selection, a synchronous handler, checkpoints
 * in Cassandra: running it again resumes; {@code --restart} starts over.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = "Job a: write the SHA-256 of every image asset modified in [--from, --to) into"
        + " assets.metadata['sha256']. Resumes from its checkpoints when run again.")
final class BackfillCommand extends BaseCommand {
  static final String JOB = "backfill-sha256";
  static final List<String> DEFAULT_TYPES = List.of("image/*");

  @Option(names = "--from", paramLabel = "TIME", converter = Times.class,
      description = "Oldest modification time, a date (UTC) or an instant (millisecond precision); default: the"
          + " oldest asset's day.")
  Instant from;

  @Option(names = "--to", paramLabel = "TIME", converter = Times.class,
      description = "Newest modification time, exclusive; default: the end of the newest asset's day.")
  Instant to;

  @Option(names = "--type", paramLabel = "TYPE", split = ",",
      description = "Asset types, exact or globs (default: image/*).")
  List<String> types = DEFAULT_TYPES;

  @Option(names = "--restart", description = "Delete the job's checkpoints and start over.")
  boolean restart;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
      description = "Files hashed at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--max-rate", paramLabel = "PER_SECOND", defaultValue = "0",
      description = "At most this many assets per second; 0 = no limit (default).")
  double maxRate;

  /** What to run to start the job over, shown when it finds every shard completed already. */
  String startOver = "./run-example run backfill --restart";
  /** What to run to delete the job's checkpoints, shown with {@link #startOver}. */
  String reset = "./run-example reset " + JOB;

  @Override
  Set<Backends.Kind> backends() {
    return EnumSet.of(Backends.Kind.CASSANDRA);
  }

  @Override
  void checkOptions() {
    OptionChecks.concurrency("--concurrency", concurrency);
    OptionChecks.maxRate("--max-rate", maxRate);
    OptionChecks.types("--type", types);
    OptionChecks.window("--from", from, "--to", to);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) {
    startOver = commandLineWith("--restart");
    reset = resetCommandLine(jobName());
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    Report report = backfill(catalog, lifecycle, progressMode(), out());
    report.print(out());
    return report.exitCode();
  }

  /** The job's name: {@value #JOB}, with the types and window in it when they are not the defaults. */
  String jobName() {
    String name = JOB;
    if (!types.equals(DEFAULT_TYPES)) {
      name += "." + TypePatterns.slug(types);
    }
    if (from != null || to != null) {
      name += "." + (from == null ? "start" : from.toString()) + "_" + (to == null ? "end" : to.toString());
    }
    return name.replace(':', '-');
  }

  Report backfill(Catalog catalog, Lifecycle lifecycle, Progress.Mode mode, PrintWriter out) {
    String jobName = jobName();
    Predicate<String> wanted = TypePatterns.matcher(types);
    List<Catalog.Partition> all = catalog.partitions();
    List<Catalog.Partition> partitions = all.stream().filter(p -> wanted.test(p.assetType())).toList();
    List<String> assetTypes = partitions.stream().map(Catalog.Partition::assetType).distinct().sorted().toList();
    Report report = new Report("run backfill: SHA-256 of " + String.join(", ", types) + " assets");
    if (all.isEmpty()) {
      return report.row("job", jobName).row("selected", 0)
          .fail("the catalog in keyspace " + catalog.keyspace() + " is empty: run ingest first");
    }
    if (assetTypes.isEmpty()) {
      out.printf("job '%s': the catalog has no assets of type %s: nothing to do%n", jobName, String.join(", ", types));
      return report.row("job", jobName).row("selected", 0);
    }
    // Timeuuids hold milliseconds: the window is compared at that precision.
    Instant windowFrom = from != null ? from.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
        : partitions.stream().map(p -> Times.bucketStart(p.bucket())).min(Instant::compareTo).orElseThrow();
    Instant windowTo = to != null ? to.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
        : partitions.stream().map(p -> Times.bucketEnd(p.bucket())).max(Instant::compareTo).orElseThrow();
    OptionChecks.window("--from", windowFrom, "--to", windowTo); // again, with the defaults filled in
    out.printf("job '%s': %d asset type%s (%s), modified in [%s, %s)%n", jobName, assetTypes.size(),
        assetTypes.size() == 1 ? "" : "s",
        String.join(", ", assetTypes), windowFrom, windowTo);
    TimeBucketSelector selector = TimeBucketSelector.builder(catalog.session())
        .table(catalog.selectionTable())
        .assetTypes(assetTypes)
        .window(windowFrom, windowTo)
        .bucketing(Catalog.BUCKETING)
        .bucketType(Catalog.BUCKET_TYPE)
        .oldestFirst()
        .estimateCounts(true)
        .build();
    Sha256Backfill handler = new Sha256Backfill(
        AssetLoader.builder(catalog.session()).table(catalog.assetsTable()).columns("metadata").build(), catalog);
    JobRunner.ResumeListener listener = new JobRunner.ResumeListener();
    ReprocessJob job = ReprocessJob.builder(jobName)
        .selector(new ExistingPartitions(selector, partitions))
        .handler(handler)
        .checkpointStore(catalog.checkpointStore())
        .pageSize(200)
        .shardsInParallel(4)
        .concurrency(concurrency)
        .maxEventsPerSecond(maxRate)
        .restart(restart)
        .listener(listener)
        .build();
    JobReport result = JobRunner.run(job, listener, lifecycle, mode, out,
        p -> "shards " + p.shardsCompleted() + "/" + p.shards().size() + ", skipped " + Report.number(p.skipped()));
    if (listener.foundAllCompleted(result)) {
      // Nothing was read: the totals of the earlier runs, not an empty-looking table of this one.
      Map<String, Checkpoint> checkpoints = catalog.checkpointStore().load(jobName);
      if (!checkpoints.isEmpty()) {
        out.println(AlreadyCompleted.message(jobName, checkpoints, startOver, reset));
        return StatusCommand.report(jobName, checkpoints);
      }
    }
    return report.job(result)
        .row("skipped: file or row gone", handler.vanished())
        .row("skipped: file changed since ingest", handler.changed())
        .row("bytes hashed", String.format(java.util.Locale.ROOT, "%,.1f MB", handler.bytesHashed() / 1e6));
  }
}
