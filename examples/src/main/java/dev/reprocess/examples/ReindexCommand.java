package dev.reprocess.examples;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.JobReport;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.AssetLoader;
import dev.reprocess.elasticsearch.BulkReindexHandler;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import dev.reprocess.kafka.DeadLetterReplayer;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.ReplayResult;
import dev.reprocess.kafka.WorkerStats;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run reindex} (job b): every asset whose catalog document matches an Elasticsearch query
 * goes through Kafka ({@link KafkaEventSink}) to {@value ReindexPipeline#WORKERS} in-process
 * workers ({@code KafkaReprocessWorker}) that write it into a new index with a new mapping ({@link
 * BulkReindexHandler}, documents built from the Cassandra row read by the {@link AssetLoader}). The
 * command waits until the workers have handled everything published (consumer lag 0), then reports.
 */
@Command(name = "reindex", mixinStandardHelpOptions = true,
    description = "Job b: re-index the assets matching --query into <index>-v2 (a new mapping) through Kafka and"
        + " " + ReindexPipeline.WORKERS + " workers; waits until the workers handled every event.")
final class ReindexCommand extends BaseCommand {
  static final String JOB = "reindex-v2";
  static final String DEFAULT_QUERY = "{\"prefix\": {\"mediaType\": \"text/\"}}";
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(30);

  /** The new mapping: the path also as analyzed text, the file name, the top-level type and the SHA-256. */
  static final String V2_MAPPING = """
      {"dynamic": "strict", "properties": {
        "assetId": {"type": "keyword"},
        "assetType": {"type": "keyword"},
        "topLevelType": {"type": "keyword"},
        "path": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
        "fileName": {"type": "keyword"},
        "extension": {"type": "keyword"},
        "sizeBytes": {"type": "long"},
        "modifiedAt": {"type": "date"},
        "day": {"type": "date", "format": "yyyy-MM-dd"},
        "sha256": {"type": "keyword"}
      }}""";

  @Option(names = "--query", paramLabel = "JSON", defaultValue = DEFAULT_QUERY,
      description = "Elasticsearch query (JSON) on the catalog index (default: ${DEFAULT-VALUE}).")
  String query;

  @Option(names = "--restart", description = "Delete the job's checkpoints and start over.")
  boolean restart;

  @Option(names = "--worker-concurrency", paramLabel = "N", defaultValue = "64",
      description = "Handler threads per worker; each waits for its document's bulk acknowledgement"
          + " (default: ${DEFAULT-VALUE}).")
  int workerConcurrency;

  @Override
  Set<Backends.Kind> backends() {
    return EnumSet.allOf(Backends.Kind.class);
  }

  @Override
  void checkOptions() {
    OptionChecks.elasticsearchQuery("--query", query);
  }

  static String targetIndex(String index) {
    return index + "-v2";
  }

  /**
   * {@value #JOB} for the default query, else {@value #JOB}.q-&lt;first 12 hex digits of the query's
   * SHA-256&gt;; the query without the whitespace around it, so that a space typed after it does not
   * start another job.
   */
  String jobName() {
    String q = query.strip();
    if (q.equals(DEFAULT_QUERY)) {
      return JOB;
    }
    byte[] digest = AssetIds.sha256().digest(q.getBytes(StandardCharsets.UTF_8));
    return JOB + ".q-" + HexFormat.of().formatHex(digest).substring(0, 12);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) throws Exception {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    ElasticsearchClient client = backends.elasticsearch();
    PrintWriter out = out();
    String jobName = jobName();
    String target = targetIndex(connection.index);
    if (!SearchIndex.exists(client, connection.index)) {
      throw new IllegalArgumentException("index is '" + connection.index + "': it does not exist; run ingest first");
    }
    SearchIndex.createIndex(client, target, V2_MAPPING);
    SearchIndex.refresh(client, connection.index);
    long hits = SearchIndex.count(client, connection.index, SearchIndex.query(query));
    out.printf("job '%s': %s documents of %s match %s; re-indexing them into %s through Kafka topic %s%n", jobName,
        Report.number(hits), connection.index, query, target, connection.topic);

    ElasticsearchSelector selector = ElasticsearchSelector.builder(client)
        .index(connection.index)
        .query(query)
        .assetTypeField("assetType")
        .slices(4)
        .build();
    Report report = new Report("run reindex: " + connection.index + " -> " + target + " through Kafka");
    try (ReindexPipeline pipeline = new ReindexPipeline(backends.kafka(), connection.topic, groupId(connection));
         BulkReindexHandler handler = handler(catalog, client, target);
         KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(backends.kafka())
             .topic(connection.topic).build()) {
      pipeline.ensureTopics();
      pipeline.startWorkers(handler, workerConcurrency);
      JobRunner.ResumeListener listener = new JobRunner.ResumeListener();
      ReprocessJob job = ReprocessJob.builder(jobName)
          .selector(selector)
          .sink(sink)
          .checkpointStore(catalog.checkpointStore())
          .pageSize(500)
          .shardsInParallel(4)
          .concurrency(1000)
          .restart(restart)
          .listener(listener)
          .build();
      JobReport published = JobRunner.run(job, listener, lifecycle, progressMode(), out,
          p -> "published " + Report.number(p.succeeded()) + ", handled " + handled(pipeline.stats()));
      report.row("query hits in " + connection.index, hits);
      report.job(published);
      drain(pipeline, report, out);
      SearchIndex.refresh(client, target);
      report.row("documents in " + target, SearchIndex.count(client, target,
          co.elastic.clients.elasticsearch._types.query_dsl.Query.of(q -> q.matchAll(m -> m))));
    }
    report.print(out);
    return report.exitCode();
  }

  /** Waits for lag 0 and adds the workers' counts to the report. */
  static void drain(ReindexPipeline pipeline, Report report, PrintWriter out) throws InterruptedException {
    out.printf("waiting for the %d workers of group %s to handle every event...%n", ReindexPipeline.WORKERS,
        pipeline.groupId());
    long[] lastLag = {-1};
    long start = System.nanoTime();
    boolean drained = pipeline.awaitDrained(DRAIN_TIMEOUT, lag -> lastLag[0] = lag);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    WorkerStats s = pipeline.stats();
    report.row("workers: received", s.received())
        .row("workers: succeeded", s.succeeded())
        .row("workers: skipped (asset gone)", s.skipped())
        .row("workers: dead-lettered", s.deadLettered() + " (" + pipeline.deadLetterTopic() + ")")
        .row("workers: failed attempts", s.failedAttempts())
        .row("consumer lag", lastLag[0])
        .row("waited for the workers", Report.duration(waited));
    Optional<Throwable> failure = pipeline.workerFailure();
    if (failure.isPresent()) {
      report.fail("a worker stopped: " + Report.oneLine(failure.get()));
    } else if (!drained) {
      report.fail("the workers did not handle every event within " + DRAIN_TIMEOUT.toMinutes()
          + " min (lag " + lastLag[0] + "); run the command again to continue");
    }
  }

  private static String handled(WorkerStats s) {
    return Report.number(s.succeeded() + s.skipped() + s.deadLettered());
  }

  /** The re-index handler: the v2 document of each asset, built from its Cassandra row. */
  static BulkReindexHandler handler(Catalog catalog, ElasticsearchClient client, String target) {
    AssetLoader loader = AssetLoader.builder(catalog.session()).table(catalog.assetsTable()).build();
    return BulkReindexHandler.builder(client)
        .targetIndex(target)
        .documentLoader(event -> loader.load(event).map(ReindexCommand::v2Document))
        .build();
  }

  /** The document of an asset in the v2 mapping. */
  static Map<String, Object> v2Document(Row row) {
    Map<String, String> m = row.getMap("metadata", String.class, String.class);
    String path = m.get(Catalog.PATH);
    String type = row.getString("asset_type");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("assetId", row.getUuid("asset_id").toString());
    doc.put("assetType", type);
    doc.put("topLevelType", type == null ? null : type.substring(0, Math.max(0, type.indexOf('/'))));
    doc.put("path", path);
    Path p = Path.of(path);
    doc.put("fileName", p.getFileName() == null ? path : p.getFileName().toString());
    doc.put("extension", MediaTypes.extension(p));
    doc.put("sizeBytes", Long.parseLong(m.get(Catalog.SIZE)));
    doc.put("modifiedAt", m.get(Catalog.MODIFIED_AT));
    doc.put("day", row.getString("bucket"));
    if (m.containsKey(Catalog.SHA256)) {
      doc.put("sha256", m.get(Catalog.SHA256));
    }
    return doc;
  }

  /** {@code dlq replay}: publishes the dead letters again and runs the workers until they handled them. */
  static Report replay(Backends backends, ConnectionOptions connection, Lifecycle lifecycle, Progress.Mode mode,
      PrintWriter out) throws InterruptedException {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    ElasticsearchClient client = backends.elasticsearch();
    String target = targetIndex(connection.index);
    SearchIndex.createIndex(client, target, V2_MAPPING);
    Report report = new Report("dlq replay: " + connection.topic + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX
        + " -> " + connection.topic);
    try (ReindexPipeline pipeline = new ReindexPipeline(backends.kafka(), connection.topic, groupId(connection));
         BulkReindexHandler handler = handler(catalog, client, target)) {
      pipeline.ensureTopics();
      ReplayResult replayed = DeadLetterReplayer.builder()
          .bootstrapServers(backends.kafka())
          .deadLetterTopic(pipeline.deadLetterTopic())
          .topic(pipeline.topic())
          .groupId(connection.topic + "-replayer")
          .build()
          .replay();
      report.row("dead letters read", replayed.read())
          .row("published again", replayed.replayed())
          .row("not events (left alone)", replayed.undecodable());
      out.printf("replayed %s dead letters to %s%n", Report.number(replayed.replayed()), pipeline.topic());
      pipeline.startWorkers(handler, 16);
      drain(pipeline, report, out);
    }
    return report;
  }

  /** The consumer group of the workers: one per topic, whatever the query, so no event is handled by two groups. */
  static String groupId(ConnectionOptions connection) {
    return connection.topic + "-workers";
  }
}
