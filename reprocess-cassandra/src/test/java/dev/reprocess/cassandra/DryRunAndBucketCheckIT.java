package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.SelectionCount;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Dataset;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On the real Cassandra: a dry run counts exactly the ground truth, per shard, then a real run
 * delivers that many; the bucket sample check refuses an {@code int} column of {@code yyyyMMdd}
 * numbers read with {@code daily()}'s default encoding before anything is read or written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DryRunAndBucketCheckIT {
  private static final Instant FROM = Instant.parse("2024-06-01T00:00:00Z");
  private static final int DAYS = 4;
  private static final Instant TO = FROM.plusSeconds(DAYS * 86_400L);
  private static final List<String> TYPES = List.of("image/png", "image/jpeg");
  private static final Bucketing YYYYMMDD = Bucketing.daily().withFormatter(DateTimeFormatter.ofPattern("yyyyMMdd"));

  private CqlSession session;
  private String ks;
  /** Ground truth: asset ids per shard id ({@code type#yyyyMMdd}). */
  private final Map<String, List<String>> truth = new TreeMap<>();

  @BeforeAll
  void schema() {
    session = Cassandra.session(TestBackends.cassandra());
    ks = Cassandra.newKeyspace(session, "dryrun");
    CassandraSchema.createReferenceSchema(session, ks, 1, BucketType.INT);
    session.execute("CREATE TABLE " + ks + ".empty_int (asset_type text, bucket int, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id))");
    session.execute("CREATE TABLE " + ks + ".epoch_days (asset_type text, bucket int, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id))");
    PreparedStatement insert = session.prepare("INSERT INTO " + ks + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET
        + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    PreparedStatement insertEpochDays = session.prepare("INSERT INTO " + ks + ".epoch_days"
        + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    Random rnd = new Random(42);
    for (int day = 0; day < DAYS; day++) {
      LocalDate date = LocalDate.ofInstant(FROM, ZoneOffset.UTC).plusDays(day);
      int yyyymmdd = Integer.parseInt(date.format(DateTimeFormatter.BASIC_ISO_DATE));
      for (int t = 0; t < TYPES.size(); t++) {
        List<String> ids = new ArrayList<>();
        int n = day == 2 && t == 1 ? 0 : 13 + 37 * day + 11 * t + rnd.nextInt(20); // one empty shard
        for (int i = 0; i < n; i++) {
          long millis = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + rnd.nextInt(86_400_000);
          var id = Dataset.timeuuid(millis, rnd);
          session.execute(insert.bind(TYPES.get(t), yyyymmdd, id));
          session.execute(insertEpochDays.bind(TYPES.get(t), (int) date.toEpochDay(), id));
          ids.add(id.toString());
        }
        truth.put(TYPES.get(t) + "#" + yyyymmdd, ids);
      }
    }
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, ks);
      session.close();
    }
  }

  private TimeBucketSelector.Builder selector(String table) {
    return TimeBucketSelector.builder(session).table(ks + "." + table).assetTypes(TYPES).window(FROM, TO);
  }

  private static ReprocessJob job(String name, TimeBucketSelector selector, RecordingHandler handler,
      InMemoryCheckpointStore store) {
    return ReprocessJob.builder(name).selector(selector).handler(handler).checkpointStore(store).pageSize(7).build();
  }

  @Test
  void aDryRunCountsTheGroundTruthPerShardThenARunDeliversExactlyThat() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob job = job("count", selector(CassandraSchema.ASSETS_BY_TYPE_BUCKET).bucketing(YYYYMMDD).build(),
        handler, store);

    SelectionCount count = job.count();

    Map<String, Long> expected = new LinkedHashMap<>();
    truth.forEach((shard, ids) -> expected.put(shard, (long) ids.size()));
    long total = truth.values().stream().mapToLong(List::size).sum();
    assertThat(count.perShard()).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(count.total()).isEqualTo(total).isGreaterThan(100);
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("count")).isEmpty();

    JobReport report = job.run().throwIfFailed();
    assertThat(report.selected()).isEqualTo(count.total());
    assertThat(handler.handledAssetIds()).hasSize((int) total)
        .containsExactlyInAnyOrderElementsOf(truth.values().stream().flatMap(List::stream).toList());
  }

  @Test
  void yyyyMMddNumbersReadAsEpochDaysFailBeforeAnythingIsReadOrWrittenThenTheRightBucketingRuns() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob wrong = job("yyyymmdd", selector(CassandraSchema.ASSETS_BY_TYPE_BUCKET).build(), handler, store);

    JobReport report = wrong.run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    Throwable error = report.failure().orElseThrow();
    System.out.println("BUCKET CHECK: " + error.getMessage());
    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bucketing is daily: none of the 4 bucket values sampled from " + ks
            + ".assets_by_type_bucket (column bucket, int) is one it produces")
        .hasMessageMatching("(?s).*the table holds '202406\\d\\d' while daily gives '19875' for 2024-06-01T00:00:00Z.*")
        .hasMessageContaining("use Bucketing.daily().withFormatter(DateTimeFormatter.ofPattern(\"yyyyMMdd\"))")
        .hasMessageContaining("checkBucketValues(false)");
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("yyyymmdd")).isEmpty();
    assertThatThrownBy(wrong::count).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(error.getMessage());

    JobReport right = job("yyyymmdd", selector(CassandraSchema.ASSETS_BY_TYPE_BUCKET).bucketing(YYYYMMDD).build(),
        handler, store).run().throwIfFailed();
    assertThat(right.selected()).isEqualTo(truth.values().stream().mapToLong(List::size).sum());
    assertThat(right.warnings()).isEmpty();
  }

  @Test
  void withTheCheckOffTheSameMistakeCompletesWithALoudZero() {
    RecordingHandler handler = new RecordingHandler();
    JobReport report = job("unchecked", selector(CassandraSchema.ASSETS_BY_TYPE_BUCKET).checkBucketValues(false)
        .build(), handler, new InMemoryCheckpointStore()).run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isZero();
    assertThat(report.warnings()).singleElement().asString()
        .startsWith("0 assets selected by cassandra time buckets " + ks + ".assets_by_type_bucket (2 asset types, daily,")
        .contains("(it listed 8 shards and none held an asset)", "bucketing and bucketType");
  }

  @Test
  void theRightEncodingAndAnEmptyTablePassTheCheck() {
    JobReport epochDays = job("epoch-days", selector("epoch_days").build(), new RecordingHandler(),
        new InMemoryCheckpointStore()).run().throwIfFailed();
    assertThat(epochDays.selected()).isEqualTo(truth.values().stream().mapToLong(List::size).sum());

    JobReport empty = job("empty", selector("empty_int").bucketing(YYYYMMDD).build(), new RecordingHandler(),
        new InMemoryCheckpointStore()).run().throwIfFailed();
    assertThat(empty.selected()).isZero();
    assertThat(empty.warnings()).hasSize(1);
  }
}
