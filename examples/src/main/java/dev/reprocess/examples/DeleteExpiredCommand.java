package dev.reprocess.examples;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.EventHandler;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.SelectionCount;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run delete-expired} (job c): removes the assets of some types modified before a cutoff
 * from Cassandra (both tables, in one logged batch) and from Elasticsearch (the catalog index, and
 * the re-indexed copy when it exists). {@code --dry-run} counts the same assets with {@link
 * ReprocessJob#count()}, per partition, and deletes nothing; it writes no checkpoint, so it never
 * marks shards done for the real run.
 */
@Command(name = "delete-expired", mixinStandardHelpOptions = true,
    description = "Job c: delete the assets of --type modified before --before from Cassandra and"
        + " Elasticsearch; --dry-run only counts them.")
final class DeleteExpiredCommand extends BaseCommand {
  static final String JOB = "delete-expired";

  @Option(names = "--type", paramLabel = "TYPE", split = ",", required = true,
      description = "Asset types to delete, exact or globs, e.g. application/gzip or 'text/*'.")
  List<String> types;

  @Option(names = "--before", paramLabel = "TIME", converter = Times.class, required = true,
      description = "Cutoff: assets modified before it are deleted; a date (UTC) or an instant (millisecond"
          + " precision).")
  Instant before;

  @Option(names = "--dry-run", description = "Count what would be deleted; delete nothing.")
  boolean dryRun;

  @Option(names = "--restart", description = "Delete the job's checkpoints and start over.")
  boolean restart;

  @Override
  Set<Backends.Kind> backends() {
    return dryRun ? EnumSet.of(Backends.Kind.CASSANDRA) : EnumSet.of(Backends.Kind.CASSANDRA, Backends.Kind.ELASTICSEARCH);
  }

  String jobName() {
    return (JOB + "." + TypePatterns.slug(types) + ".before-" + before + (dryRun ? ".dry-run" : "")).replace(':', '-');
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    String jobName = jobName();
    // Timeuuids hold milliseconds: an asset is expired when its millisecond is before the cutoff's.
    Instant cutoff = before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Predicate<String> wanted = TypePatterns.matcher(types);
    List<Catalog.Partition> partitions = catalog.partitions().stream()
        .filter(p -> wanted.test(p.assetType()) && Times.bucketStart(p.bucket()).isBefore(cutoff)).toList();
    List<String> assetTypes = partitions.stream().map(Catalog.Partition::assetType).distinct().sorted().toList();
    Report report = new Report("run delete-expired: " + String.join(", ", types) + " modified before " + before
        + (dryRun ? " (dry run)" : ""));
    if (assetTypes.isEmpty()) {
      report.row("job", jobName).row("selected", 0).row(dryRun ? "would delete" : "deleted", 0);
      report.print(out());
      return EXIT_OK;
    }
    Instant from = partitions.stream().map(p -> Times.bucketStart(p.bucket())).min(Instant::compareTo).orElseThrow();
    TimeBucketSelector selector = TimeBucketSelector.builder(catalog.session())
        .table(catalog.selectionTable())
        .assetTypes(assetTypes)
        .window(from, cutoff)
        .bucketing(Catalog.BUCKETING)
        .bucketType(Catalog.BUCKET_TYPE)
        .oldestFirst()
        .estimateCounts(true)
        .build();
    ExistingPartitions selection = new ExistingPartitions(selector, partitions);
    if (dryRun) {
      out().printf("job '%s': counting assets of %d types (%s) modified in [%s, %s)%n", jobName, assetTypes.size(),
          String.join(", ", assetTypes), from, cutoff);
      return countOnly(jobName, selection, report);
    }
    Deleter deleter = new Deleter(catalog, backends.elasticsearch(),
        List.of(connection.index, ReindexCommand.targetIndex(connection.index)));
    JobRunner.ResumeListener listener = new JobRunner.ResumeListener();
    ReprocessJob job = ReprocessJob.builder(jobName)
        .selector(selection)
        .handler(deleter)
        .checkpointStore(catalog.checkpointStore())
        .pageSize(500)
        .concurrency(8)
        .restart(restart)
        .listener(listener)
        .build();
    out().printf("job '%s': deleting assets of %d types (%s) modified in [%s, %s)%n", jobName, assetTypes.size(),
        String.join(", ", assetTypes), from, cutoff);
    JobReport result = JobRunner.run(job, listener, lifecycle, progressMode(), out(),
        p -> "shards " + p.shardsCompleted() + "/" + p.shards().size());
    report.job(result);
    report.row("deleted from Cassandra", deleter.deleted.get())
        .row("deleted from Elasticsearch", deleter.deletedDocuments.get())
        .row("already gone", deleter.alreadyGone.get());
    report.print(out());
    return report.exitCode();
  }

  /**
   * The dry run: {@link ReprocessJob#count()} counts the selection per partition, delivers nothing
   * and writes no checkpoint; prints the partitions that hold expired assets and the total.
   */
  private int countOnly(String jobName, ExistingPartitions selection, Report report) {
    SelectionCount count = ReprocessJob.builder(jobName)
        .selector(selection)
        .handler(event -> Outcome.SKIPPED) // never called: a dry run delivers nothing
        .pageSize(500)
        .build()
        .count();
    report.row("job", jobName).row("partitions counted", count.shards());
    count.perShard().forEach((shard, n) -> {
      if (n > 0) {
        report.row("  " + shard, n);
      }
    });
    report.row("selected", count.total()).row("would delete", count.total())
        .row("duration", Report.duration(count.elapsed()));
    report.print(out());
    return report.exitCode();
  }

  /** Deletes one asset everywhere; an asset already gone is skipped. Thread-safe. */
  static final class Deleter implements EventHandler {
    private final Catalog catalog;
    private final ElasticsearchClient client;
    private final List<String> indices;
    final AtomicLong deleted = new AtomicLong();
    final AtomicLong deletedDocuments = new AtomicLong();
    final AtomicLong alreadyGone = new AtomicLong();

    Deleter(Catalog catalog, ElasticsearchClient client, List<String> indices) {
      this.catalog = catalog;
      this.client = client;
      this.indices = indices.stream().filter(i -> SearchIndex.exists(client, i)).toList();
    }

    @Override
    public Outcome handle(ReprocessEvent event) {
      UUID id = UUID.fromString(event.assetId());
      // The bucket is the id's modification month; the type is the shard's.
      String bucket = Catalog.bucketOf(AssetIds.instantOf(id));
      boolean inCassandra = catalog.load(id).isPresent();
      catalog.delete(id, event.assetType(), bucket);
      long docs = 0;
      for (String index : indices) {
        try {
          if (client.delete(d -> d.index(index).id(event.assetId())).result()
              == co.elastic.clients.elasticsearch._types.Result.Deleted) {
            docs++;
          }
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
          if (e.status() != 404) {
            throw e;
          }
        } catch (IOException e) {
          throw new UncheckedIOException("deleting " + event.assetId() + " from " + index + " failed", e);
        }
      }
      deletedDocuments.addAndGet(docs);
      if (!inCassandra && docs == 0) {
        alreadyGone.incrementAndGet();
        return Outcome.SKIPPED;
      }
      deleted.incrementAndGet();
      return Outcome.SUCCEEDED;
    }
  }
}
