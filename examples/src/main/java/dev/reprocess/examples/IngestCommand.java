package dev.reprocess.examples;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ingest [PATH]}: stores every file under PATH as an asset in Cassandra and Elasticsearch. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Store every regular file under PATH as an asset: Cassandra (assets_by_type_bucket + assets)"
        + " and the Elasticsearch catalog index. Idempotent: ids come from the path and modification time.")
final class IngestCommand extends BaseCommand {
  static final Path DEFAULT_ROOT = Path.of("/usr/share");

  @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Directory to walk (default: /usr/share).")
  Path root = DEFAULT_ROOT;

  @Option(names = "--no-index", description = "Write to Cassandra only, not to Elasticsearch.")
  boolean noIndex;

  @Override
  Set<Backends.Kind> backends() {
    return noIndex ? EnumSet.of(Backends.Kind.CASSANDRA) : EnumSet.of(Backends.Kind.CASSANDRA, Backends.Kind.ELASTICSEARCH);
  }

  @Override
  void checkOptions() {
    OptionChecks.readableDirectory("PATH", root);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) throws Exception {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    Report report = ingest(catalog, noIndex ? null : backends, connection, root, progressMode(), out());
    report.print(out());
    return report.exitCode();
  }

  /** Ingests {@code root} with a progress display, records a complete ingest, and returns the report. */
  static Report ingest(Catalog catalog, Backends backends, ConnectionOptions connection, Path root,
      Progress.Mode mode, java.io.PrintWriter out) throws Exception {
    SearchIndex search = null;
    if (backends != null) {
      search = new SearchIndex(backends.elasticsearch(), connection.index);
      search.createCatalogIndex();
    }
    Ingester ingester = new Ingester(catalog, search);
    out.printf("ingesting %s into keyspace %s%s...%n", root.toAbsolutePath().normalize(), catalog.keyspace(),
        search == null ? "" : " and index " + search.index());
    Ingester.Result result;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ingest-progress");
      t.setDaemon(true);
      return t;
    });
    try (Progress progress = Progress.start("ingest", mode, out)) {
      ticker.scheduleAtFixedRate(() -> progress.update(ingester.stored(), -1, java.util.Optional.empty(),
          Report.number(ingester.seen()) + " seen, " + Report.number(ingester.skipped()) + " skipped"),
          250, 250, TimeUnit.MILLISECONDS);
      result = ingester.ingest(root);
    } finally {
      ticker.shutdownNow();
    }
    long documents = -1;
    if (search != null) {
      search.refresh();
      documents = SearchIndex.count(search.client(), search.index(),
          co.elastic.clients.elasticsearch._types.query_dsl.Query.of(q -> q.matchAll(m -> m)));
    }
    Report report = new Report("ingest " + result.root())
        .row("files and links seen", result.seen())
        .row("stored in Cassandra", result.stored())
        .row("indexed in Elasticsearch", search == null ? "-" : Report.number(result.indexed()))
        .row("documents in the catalog index", search == null ? "-" : Report.number(documents))
        .row("skipped (not regular, unreadable, loops)", result.skipped())
        .row("failed", result.failed())
        .row("media types", result.byMediaType().size())
        .row("top media types", Report.top(result.byMediaType(), 4))
        .row("duration", Report.duration(result.duration()))
        .row("rate", String.format(java.util.Locale.ROOT, "%,.0f files/s", result.ratePerSecond()));
    if (result.failed() > 0) {
      report.fail(Report.number(result.failed()) + " files could not be stored; first error: " + result.firstError());
    } else if (search != null && result.indexed() != result.stored()) {
      report.fail("stored " + Report.number(result.stored()) + " files but indexed " + Report.number(result.indexed()));
    } else if (search != null) {
      catalog.recordIngest(result.root().toString(), result.stored(), Instant.now());
    }
    return report;
  }
}
