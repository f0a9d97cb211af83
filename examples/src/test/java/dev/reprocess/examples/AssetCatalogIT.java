package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ElasticsearchBackend;
import dev.reprocess.testkit.KafkaBackend;
import dev.reprocess.testkit.TestBackends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The asset catalog end to end on real servers (the testkit's, or those REPROCESS_* name) and real
 * files: the JDK's own files under {@code java.home}. Each step runs the program as a user would
 * (its command line, exit code and output) and checks the stores directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AssetCatalogIT {
  private static final Path ROOT = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();

  private final String suffix = Long.toString(new Random().nextLong() & Long.MAX_VALUE, 36);
  private final String keyspace = "catalog_it_" + suffix;
  private final String index = "catalog-it-" + suffix;
  private final String topic = "catalog-it-" + suffix;

  private CassandraBackend cassandra;
  private KafkaBackend kafka;
  private ElasticsearchBackend elasticsearch;
  private CqlSession session;
  private ElasticsearchClient es;
  /** The files under ROOT as the test sees them, keyed by absolute path. */
  private Map<String, FileFacts> files;

  record FileFacts(Path path, long size, Instant modifiedAt, String mediaType) {
    UUID id() {
      return AssetIds.forFile(path, modifiedAt);
    }
  }

  @BeforeAll
  void startBackends() throws IOException {
    // The three servers start in parallel (each takes seconds).
    CompletableFuture<CassandraBackend> c = CompletableFuture.supplyAsync(TestBackends::cassandra);
    CompletableFuture<KafkaBackend> k = CompletableFuture.supplyAsync(TestBackends::kafka);
    CompletableFuture<ElasticsearchBackend> e = CompletableFuture.supplyAsync(TestBackends::elasticsearch);
    cassandra = c.join();
    kafka = k.join();
    elasticsearch = e.join();
    session = CqlSession.builder().addContactPoint(cassandra.contactPoint())
        .withLocalDatacenter(cassandra.localDatacenter())
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .build())
        .build();
    es = ElasticsearchClient.of(b -> b.host(elasticsearch.url()));
    files = walk(ROOT);
  }

  @AfterAll
  void close() throws IOException {
    if (session != null) {
      session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
      session.close();
    }
    if (es != null) {
      for (String i : List.of(index, ReindexCommand.targetIndex(index))) {
        es.indices().delete(d -> d.index(i).ignoreUnavailable(true));
      }
      es.close();
    }
  }

  /** Runs the program with the connection options of the test's servers and names. */
  private Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cassandra", cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort(),
        "--kafka", kafka.bootstrapServers(), "--elasticsearch", elasticsearch.url(),
        "--keyspace", keyspace, "--index", index, "--topic", topic, "--no-progress"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AssetCatalog.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  @Test
  @Order(1)
  void ingestStoresEveryFileInBothStoresAndIsIdempotent() throws IOException {
    Result first = run("ingest", ROOT.toString());
    assertThat(first.exitCode()).as(first.toString()).isZero();

    Map<UUID, Row> rows = assetRows();
    assertThat(rows).hasSize(files.size());
    for (FileFacts f : files.values()) {
      Row row = rows.get(f.id());
      assertThat(row).as(f.path().toString()).isNotNull();
      Map<String, String> m = row.getMap("metadata", String.class, String.class);
      assertThat(m).containsEntry("path", f.path().toString())
          .containsEntry("size", Long.toString(f.size()))
          .containsEntry("mediaType", f.mediaType())
          .containsEntry("modifiedAt", f.modifiedAt().toString());
      assertThat(row.getString("asset_type")).isEqualTo(f.mediaType());
      assertThat(row.getString("bucket")).isEqualTo(Catalog.bucketOf(f.modifiedAt()));
    }
    assertThat(selectionRowCount()).isEqualTo(files.size());
    assertThat(esCount(index, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(files.size());

    Result again = run("ingest", ROOT.toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(assetRows()).hasSize(files.size());
    assertThat(selectionRowCount()).isEqualTo(files.size());
    assertThat(esCount(index, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(files.size());
  }

  @Test
  @Order(2)
  void backfillWritesTheSha256OfEverySelectedFileAndResumesInsteadOfRedoing() throws Exception {
    List<FileFacts> text = files.values().stream().filter(f -> f.mediaType().startsWith("text/")).toList();
    assertThat(text).as("text files under " + ROOT).isNotEmpty();

    Result result = run("run", "backfill", "--type", "text/*");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("| selected").contains(Report.number(text.size()) + " = selected");

    Map<UUID, Row> rows = assetRows();
    for (FileFacts f : files.values()) {
      String sha = rows.get(f.id()).getMap("metadata", String.class, String.class).get("sha256");
      if (f.mediaType().startsWith("text/")) {
        assertThat(sha).as(f.path().toString()).isEqualTo(sha256(f.path()));
      } else {
        assertThat(sha).as("not selected: " + f.path()).isNull();
      }
    }

    Result again = run("run", "backfill", "--type", "text/*");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).containsPattern("backfill-sha256.text_all already completed on \\d{4}-\\d\\d-\\d\\d"
            + " \\d\\d:\\d\\d UTC: " + Report.number(text.size()) + " assets \\(" + Report.number(text.size())
            + " succeeded, 0 skipped, 0 dead-lettered\\)")
        .contains("run `./run-example run backfill --type 'text/*' --cassandra ")
        .contains("--restart` (or `./run-example reset backfill-sha256.text_all --cassandra ")
        .containsPattern(" --keyspace " + keyspace + " [^`]*`\\) to start over\n")
        .containsPattern("\\| succeeded +\\| " + Report.number(text.size()) + " ");

    Result restart = run("run", "backfill", "--type", "text/*", "--restart");
    assertThat(restart.exitCode()).as(restart.toString()).isZero();
    assertThat(restart.out()).contains(Report.number(text.size()) + " = selected");

    // The JDK has no images: the default job selects nothing, and says so.
    Result images = run("run", "backfill");
    assertThat(images.exitCode()).as(images.toString()).isZero();
    assertThat(images.out()).contains("no assets of type image/*");
  }

  @Test
  @Order(3)
  void statusShowsTheCheckpointsOfAJob() {
    Result list = run("status");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains("backfill-sha256.text_all: ");

    Result one = run("status", "backfill-sha256.text_all");
    assertThat(one.exitCode()).as(one.toString()).isZero();
    long shards = session.execute(SimpleStatement.newInstance("SELECT count(*) FROM " + keyspace
        + ".reprocess_checkpoints WHERE job_name = 'backfill-sha256.text_all'")).one().getLong(0);
    assertThat(one.out()).containsPattern("\\| completed +\\| " + shards + " ");

    Result unknown = run("status", "no-such-job");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.out()).contains("job 'no-such-job' has no checkpoints");
  }

  @Test
  @Order(4)
  void resetDeletesOneJobsCheckpointsSoItsNextRunStartsOver() {
    List<FileFacts> text = files.values().stream().filter(f -> f.mediaType().startsWith("text/")).toList();
    String other = "backfill-sha256.text_all.2000-01-01T00-00-00Z_end";
    assertThat(run("run", "backfill", "--type", "text/*", "--from", "2000-01-01").exitCode()).isZero();

    Result reset = run("reset", "backfill-sha256.text_all");
    assertThat(reset.exitCode()).as(reset.toString()).isZero();
    assertThat(reset.out()).contains("job 'backfill-sha256.text_all': deleted the checkpoints of ");
    assertThat(checkpointRows("backfill-sha256.text_all")).isZero();
    assertThat(checkpointRows(other)).as("another job's checkpoints are kept").isPositive();

    Result again = run("reset", "backfill-sha256.text_all");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("job 'backfill-sha256.text_all' has no checkpoints in keyspace " + keyspace
        + ": nothing to reset");

    Result rerun = run("run", "backfill", "--type", "text/*");
    assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
    assertThat(rerun.out()).doesNotContain("already completed")
        .contains(Report.number(text.size()) + " = selected");
  }

  /** The job's shard rows (a partition keeps its static lease columns after a delete: those rows have no shard). */
  private long checkpointRows(String job) {
    return session.execute(SimpleStatement.newInstance("SELECT shard_id FROM " + keyspace
        + ".reprocess_checkpoints WHERE job_name = ?", job)).all().stream().filter(r -> r.getString(0) != null).count();
  }

  @Test
  @Order(5)
  void reindexSendsEveryMatchingAssetThroughKafkaIntoTheNewIndex() throws Exception {
    List<FileFacts> text = files.values().stream().filter(f -> f.mediaType().startsWith("text/")).toList();
    // One asset with a broken row: its event fails in the workers and goes to the dead-letter topic.
    FileFacts broken = text.get(0);
    session.execute(SimpleStatement.newInstance("UPDATE " + keyspace + ".assets SET metadata['size'] = 'unknown'"
        + " WHERE asset_id = ?", broken.id()));
    long hits = esCount(index, SearchIndex.query(ReindexCommand.DEFAULT_QUERY));
    assertThat(hits).isEqualTo(text.size());

    Result result = run("run", "reindex");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains(Report.number(text.size()) + " = selected")
        .containsPattern("\\| workers: dead-lettered +\\| 1 ")
        .containsPattern("\\| consumer lag +\\| 0 ");

    String v2 = ReindexCommand.targetIndex(index);
    assertThat(esCount(v2, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(text.size() - 1);
    Map<String, Map<String, Object>> docs = v2Documents(v2);
    for (FileFacts f : text) {
      if (f.equals(broken)) {
        assertThat(docs).doesNotContainKey(f.id().toString());
        continue;
      }
      Map<String, Object> doc = docs.get(f.id().toString());
      assertThat(doc).as(f.path().toString()).isNotNull();
      assertThat(doc).containsEntry("path", f.path().toString())
          .containsEntry("assetType", f.mediaType())
          .containsEntry("topLevelType", "text")
          .containsEntry("sha256", sha256(f.path()))
          .containsEntry("modifiedAt", f.modifiedAt().toString())
          .containsEntry("fileName", f.path().getFileName().toString());
      assertThat(((Number) doc.get("sizeBytes")).longValue()).isEqualTo(f.size());
    }
  }

  @Test
  @Order(6)
  void deadLettersAreListedAndReplayedOnceTheCauseIsFixed() throws Exception {
    FileFacts broken = files.values().stream().filter(f -> f.mediaType().startsWith("text/")).toList().get(0);

    Result list = run("dlq", "list");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains("1 dead letters in " + topic + ".dlt")
        .contains("job=" + ReindexCommand.JOB + " ")
        .contains("asset=" + broken.id())
        .contains("NumberFormatException");

    // Fix the row, then replay: the workers index it this time.
    session.execute(SimpleStatement.newInstance("UPDATE " + keyspace + ".assets SET metadata['size'] = ?"
        + " WHERE asset_id = ?", Long.toString(broken.size()), broken.id()));
    Result replay = run("dlq", "replay");
    assertThat(replay.exitCode()).as(replay.toString()).isZero();
    assertThat(replay.out()).containsPattern("\\| published again +\\| 1 ")
        .containsPattern("\\| workers: succeeded +\\| 1 ");
    String v2 = ReindexCommand.targetIndex(index);
    refresh(v2);
    assertThat(es.exists(x -> x.index(v2).id(broken.id().toString())).value()).isTrue();
    long text = files.values().stream().filter(f -> f.mediaType().startsWith("text/")).count();
    assertThat(esCount(v2, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(text);
  }

  @Test
  @Order(7)
  void deleteExpiredDryRunCountsAndTheRealRunDeletesFromBothStores() throws IOException {
    // The most common type that is not text, and a cutoff that keeps its newest files when their times differ.
    Map<String, List<FileFacts>> byType = files.values().stream()
        .filter(f -> !f.mediaType().startsWith("text/"))
        .collect(Collectors.groupingBy(FileFacts::mediaType));
    String type = byType.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
        .orElseThrow().getKey();
    List<Instant> times = byType.get(type).stream().map(FileFacts::modifiedAt).distinct().sorted().toList();
    Instant cutoff = times.size() > 1 ? times.get(times.size() - 1) : times.get(0).plusMillis(1);
    List<FileFacts> expired = byType.get(type).stream()
        .filter(f -> f.modifiedAt().toEpochMilli() < cutoff.toEpochMilli()).toList();
    List<FileFacts> kept = files.values().stream().filter(f -> !expired.contains(f)).toList();
    assertThat(expired).isNotEmpty();
    long v2Before = SearchIndex.exists(es, ReindexCommand.targetIndex(index))
        ? esCount(ReindexCommand.targetIndex(index), Query.of(q -> q.matchAll(m -> m))) : 0;

    Result dry = run("run", "delete-expired", "--type", type, "--before", cutoff.toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.out()).containsPattern("\\| would delete +\\| " + Report.number(expired.size()) + " ");
    assertThat(assetRows()).hasSize(files.size());
    assertThat(selectionRowCount()).isEqualTo(files.size());
    assertThat(esCount(index, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(files.size());

    Result real = run("run", "delete-expired", "--type", type, "--before", cutoff.toString());
    assertThat(real.exitCode()).as(real.toString()).isZero();
    assertThat(real.out()).containsPattern("\\| deleted from Cassandra +\\| " + Report.number(expired.size()) + " ");

    Map<UUID, Row> rows = assetRows();
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(kept.stream().map(FileFacts::id).toList());
    assertThat(selectionRowCount()).isEqualTo(kept.size());
    refresh(index);
    assertThat(esCount(index, Query.of(q -> q.matchAll(m -> m)))).isEqualTo(kept.size());
    for (FileFacts f : expired) {
      assertThat(es.exists(x -> x.index(index).id(f.id().toString())).value()).as(f.path().toString()).isFalse();
    }
    if (v2Before > 0) {
      refresh(ReindexCommand.targetIndex(index));
      long expiredInV2 = expired.stream().filter(f -> f.mediaType().startsWith("text/")).count();
      assertThat(esCount(ReindexCommand.targetIndex(index), Query.of(q -> q.matchAll(m -> m))))
          .isEqualTo(v2Before - expiredInV2);
    }
  }

  @Test
  @Order(8)
  void theHostServiceExampleCountsLines() throws IOException {
    List<FileFacts> selected = files.values().stream()
        .filter(f -> f.mediaType().equals("text/plain") || f.mediaType().equals("text/markdown")).toList();
    Instant from = selected.stream().map(FileFacts::modifiedAt).min(Instant::compareTo).orElseThrow()
        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant to = selected.stream().map(FileFacts::modifiedAt).max(Instant::compareTo).orElseThrow().plusMillis(1);
    JobReport report = HostServiceExample.countLines(session, keyspace, from, to);
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isEqualTo(selected.size());
    assertThat(report.succeeded()).isEqualTo(selected.size());
    Map<UUID, Row> rows = assetRows();
    for (FileFacts f : selected) {
      long lines;
      try (Stream<String> s = Files.lines(f.path(), StandardCharsets.ISO_8859_1)) {
        lines = s.count();
      }
      assertThat(rows.get(f.id()).getMap("metadata", String.class, String.class).get("lines"))
          .as(f.path().toString()).isEqualTo(Long.toString(lines));
    }
  }

  // ---------------------------------------------------------------- helpers

  private Map<UUID, Row> assetRows() {
    Map<UUID, Row> rows = new HashMap<>();
    for (Row r : session.execute(SimpleStatement.newInstance("SELECT asset_id, asset_type, bucket, metadata FROM "
        + keyspace + ".assets").setPageSize(1000))) {
      rows.put(r.getUuid("asset_id"), r);
    }
    return rows;
  }

  private long selectionRowCount() {
    return session.execute(SimpleStatement.newInstance("SELECT count(*) FROM " + keyspace + ".assets_by_type_bucket"))
        .one().getLong(0);
  }

  private long esCount(String idx, Query query) throws IOException {
    refresh(idx);
    return es.count(c -> c.index(idx).query(query)).count();
  }

  private void refresh(String idx) throws IOException {
    es.indices().refresh(r -> r.index(idx));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Map<String, Map<String, Object>> v2Documents(String idx) throws IOException {
    SearchResponse<Map> response = es.search(r -> r.index(idx).size(10_000), Map.class);
    Map<String, Map<String, Object>> docs = new HashMap<>();
    for (Hit<Map> hit : response.hits().hits()) {
      docs.put(hit.id(), (Map<String, Object>) hit.source());
    }
    return docs;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      md.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The regular, readable files under {@code root}, following links as the ingest does. */
  private static Map<String, FileFacts> walk(Path root) throws IOException {
    Map<String, FileFacts> result = new HashMap<>();
    Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && Files.isReadable(file)) {
          Path p = file.toAbsolutePath().normalize();
          result.put(p.toString(), new FileFacts(p, attrs.size(), attrs.lastModifiedTime().toInstant(),
              MediaTypes.detect(p)));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) {
        return FileVisitResult.CONTINUE;
      }
    });
    return result;
  }
}
