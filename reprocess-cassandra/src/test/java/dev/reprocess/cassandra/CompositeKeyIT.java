package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.config.ConfigContext;
import dev.reprocess.config.JobConfiguration;
import dev.reprocess.Cursor;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Pages;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Composite primary keys {@code ((tenant, day), added_date DESC, item_id ASC)} with an id of each
 * type: a {@link TableSelector} and an {@link IdListSelector} of key lines select every row, and an
 * {@link AssetLoader} loads each one by its full key, compared with the rows inserted (0 missing, 0
 * repeated); bad lines are refused before anything is written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositeKeyIT {
  private static final List<String> TENANTS = List.of("a", "b");
  private static final List<LocalDate> DAYS = List.of(LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 2));
  private static final int ITEMS = 12;

  /** A row inserted: its key in text form (as a line lists it) and its payload. */
  private record Inserted(String tenant, LocalDate day, Instant addedDate, Object itemId, String payload) {
    String line() {
      return String.join(",", csv(tenant), day.toString(), addedDate.toString(), csv(itemId.toString()));
    }
  }

  private static final Map<String, IntFunction<Object>> ID_VALUES = Map.of(
      "timeuuid", i -> Uuids.startOf(1_796_000_000_000L + i),
      "uuid", i -> UUID.nameUUIDFromBytes(("item" + i).getBytes(StandardCharsets.UTF_8)),
      "text", i -> "item, \"" + i + "\" é",
      "ascii", i -> "item-" + i,
      "bigint", i -> 10_000_000_000L + i,
      "int", i -> i - 5);

  @TempDir Path dir;
  private CqlSession session;
  private String ks;
  private final Map<String, List<Inserted>> rows = new java.util.HashMap<>();

  @BeforeAll
  void insert() {
    session = Cassandra.session(TestBackends.cassandra());
    ks = Cassandra.newKeyspace(session, "composite");
    for (Map.Entry<String, IntFunction<Object>> e : ID_VALUES.entrySet()) {
      String type = e.getKey();
      session.execute("CREATE TABLE " + ks + ".items_" + type + " (tenant text, day date, added_date timestamp,"
          + " item_id " + type + ", payload text, PRIMARY KEY ((tenant, day), added_date, item_id))"
          + " WITH CLUSTERING ORDER BY (added_date DESC, item_id ASC)");
      PreparedStatement insert = session.prepare("INSERT INTO " + ks + ".items_" + type
          + " (tenant, day, added_date, item_id, payload) VALUES (?, ?, ?, ?, ?)");
      List<Inserted> list = new ArrayList<>();
      for (String tenant : TENANTS) {
        for (LocalDate day : DAYS) {
          for (int i = 0; i < ITEMS; i++) {
            // Four items share each added_date: ties cross page boundaries.
            Instant added = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plusSeconds(60L * (i / 4) + 1)
                .plusMillis(7);
            Inserted row = new Inserted(tenant, day, added, e.getValue().apply(i), tenant + "/" + day + "/" + type + i);
            session.execute(insert.bind(row.tenant(), row.day(), row.addedDate(), row.itemId(), row.payload()));
            list.add(row);
          }
        }
      }
      rows.put(type, list);
    }
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, ks);
      session.close();
    }
  }

  private static String csv(String value) {
    return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private AssetLoader loader(String type) {
    return AssetLoader.builder(session).table(ks + ".items_" + type).idColumn("item_id").build();
  }

  /** Runs a job whose handler loads each event's row; the payloads loaded, one per event. */
  private List<String> loadEveryEvent(String job, AssetSelector selector, AssetLoader loader) {
    List<String> payloads = Collections.synchronizedList(new ArrayList<>());
    ReprocessJob.builder(job).selector(selector).pageSize(3)
        .handler(event -> {
          Row row = loader.load(event).orElseThrow(() -> new AssertionError("no row for " + event));
          payloads.add(row.getString("payload"));
          return Outcome.SUCCEEDED;
        })
        .build().run().throwIfFailed();
    return payloads;
  }

  private static List<String> payloads(List<Inserted> rows) {
    return rows.stream().map(Inserted::payload).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"timeuuid", "uuid", "text", "ascii", "bigint", "int"})
  void theLoaderLoadsEveryRowATableSelectorSelects(String type) {
    TableSelector selector = TableSelector.builder(session).table(ks + ".items_" + type)
        .partitionValues("tenant", TENANTS.toArray()).bucketColumn("day").bucketing(Bucketing.daily())
        .window(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-03T00:00:00Z"))
        .idColumn("item_id").selectColumns("tenant", "day", "added_date").build();

    List<String> loaded = loadEveryEvent("table-" + type, selector, loader(type));

    assertThat(loaded).hasSize(rows.get(type).size()).containsExactlyInAnyOrderElementsOf(payloads(rows.get(type)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"timeuuid", "uuid", "text", "ascii", "bigint", "int"})
  void anIdListOfKeyLinesSelectsAndLoadsEveryListedKeyAndResumesFromACursor(String type) throws IOException {
    List<Inserted> listed = rows.get(type).stream().filter(r -> !r.payload().endsWith(type + "3")).toList();
    Path file = dir.resolve("keys-" + type + ".csv");
    List<String> lines = new ArrayList<>(List.of("# tenant,day,added_date,item_id", ""));
    listed.forEach(r -> lines.add(r.line()));
    Files.write(file, lines, StandardCharsets.UTF_8);
    IdListSelector selector = IdListSelector.builder().idsFile(file).chunkSize(7)
        .keyColumns("tenant", "day", "added_date", "item_id").table(session, ks + ".items_" + type)
        .idColumn("item_id").build();

    assertThat(loadEveryEvent("list-" + type, selector, loader(type)))
        .hasSize(listed.size()).containsExactlyInAnyOrderElementsOf(payloads(listed));

    List<AssetRef> all = Pages.readAll(selector, 3);
    assertThat(all).extracting(AssetRef::assetId).containsExactlyElementsOf(
        listed.stream().map(r -> r.itemId().toString()).toList());
    assertThat(all.get(0).attributes()).containsOnly(Map.entry("tenant", listed.get(0).tenant()),
        Map.entry("day", listed.get(0).day().toString()), Map.entry("added_date", listed.get(0).addedDate().toString()));
    if (type.equals("timeuuid")) {
      assertThat(all.get(0).createdAt()).isEqualTo(Instant.ofEpochMilli(1_796_000_000_000L));
    }

    // Resume every chunk from the cursor of each of its pages: exactly the rest, in order.
    List<Shard> shards = selector.shards();
    int first = 0;
    for (Shard shard : shards) {
      List<AssetRef> chunk = Pages.readShard(selector, shard, null, 2);
      try (Paginator p = selector.open(shard, null, 2)) {
        Page page;
        int handed = 0;
        do {
          page = p.nextPage();
          handed += page.assets().size();
          Cursor cursor = page.cursor();
          assertThat(Pages.readShard(selector, shard, cursor, 2)).isEqualTo(chunk.subList(handed, chunk.size()))
              .as("resumed after %d of shard %s", handed, shard.id());
        } while (!page.last() && handed < chunk.size() - 1);
      }
      assertThat(chunk).isEqualTo(all.subList(first, first + chunk.size()));
      first += chunk.size();
    }
  }

  @Test
  void theConfigurationKindsSelectTheSameRows() throws IOException {
    ConfigContext context = ConfigContext.of(Map.of("session", session, "h", new RecordingHandler()));
    Map<String, String> table = Map.of("selector.kind", "cassandra-table", "selector.table", ks + ".items_bigint",
        "selector.partition-values", "tenant=a,b", "selector.bucket-column", "day", "selector.from",
        "2026-12-01T00:00:00Z", "selector.to", "2026-12-03T00:00:00Z", "selector.id-column", "item_id",
        "selector.select-columns", "tenant,day,added_date", "handler", "h");
    AssetSelector fromConfig = JobConfiguration.build("conf-table", table, context).selector();
    assertThat(loadEveryEvent("conf-table", fromConfig, loader("bigint")))
        .containsExactlyInAnyOrderElementsOf(payloads(rows.get("bigint")));

    Path file = dir.resolve("conf-keys.csv");
    List<Inserted> listed = rows.get("text").subList(10, 30);
    Files.write(file, listed.stream().map(Inserted::line).toList(), StandardCharsets.UTF_8);
    Map<String, String> list = Map.of("selector.kind", "id-list", "selector.ids-file", file.toString(),
        "selector.key-columns", "tenant,day,added_date,item_id", "selector.table", ks + ".items_text",
        "selector.id-column", "item_id", "selector.chunk-size", "6", "handler", "h");
    AssetSelector listFromConfig = JobConfiguration.build("conf-list", list, context).selector();
    assertThat(loadEveryEvent("conf-list", listFromConfig, loader("text")))
        .containsExactlyInAnyOrderElementsOf(payloads(listed));

    AssetSelector wrongType = JobConfiguration.build("conf-bad", Map.of("selector.kind", "cassandra-table", "selector.table", ks + ".items_int", "selector.partition-values",
            "tenant=a;day=12/01/2026", "selector.id-column", "item_id", "handler", "h"), context).selector();
    assertThatThrownBy(wrongType::shards).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitionValueTexts[0] of day: column day is date, the value '12/01/2026' is not one"
            + " (a date is yyyy-mm-dd)");
  }

  @Test
  void aBadLineOrAWrongTypeIsRefusedBeforeAnythingIsWritten() throws IOException {
    List<Inserted> good = rows.get("bigint");
    assertRefused("bigint", List.of(good.get(0).line(), good.get(1).line(), "a,2026-12-01,2026-12-01T00:00:01Z,12x"),
        ": line 3: column item_id is bigint, the value '12x' is not one");
    assertRefused("bigint", List.of(good.get(0).line(), "a,2026-13-01,2026-12-01T00:00:01Z,1"),
        ": line 2: column day is date, the value '2026-13-01' is not one (a date is yyyy-mm-dd)");
    assertRefused("uuid", List.of("a,2026-12-01,2026-12-01T00:00:01Z"),
        ": line 1 is 'a,2026-12-01,2026-12-01T00:00:01Z': it has 3 values, a line must have one per key column"
            + " (tenant,day,added_date,item_id)");
    assertRefused("text", List.of("a,2026-12-01,2026-12-01T00:00:01Z,\"unclosed"),
        ": line 1 is 'a,2026-12-01,2026-12-01T00:00:01Z,\"unclosed': it is not a record of comma-separated values"
            + " quoted as in RFC 4180");
    assertRefused("ascii", List.of("a,2026-12-01,2026-12-01T00:00:01Z,caf\u00e9"),
        ": line 1: column item_id is ascii, the value 'caf\u00e9' is not one (character 4 is not ASCII)");
    String longValue = "9".repeat(500);
    assertRefused("int", List.of("a,2026-12-01,2026-12-01T00:00:01Z," + longValue),
        ": line 1: column item_id is int, the value '" + "9".repeat(100) + "... (500 characters in all)' is not one");

    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of("a,2026-12-01,1")).keyColumns("tenant", "day", "item_id")
        .table(session, ks + ".items_int").idColumn("item_id").build().shards())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keyColumns is (tenant, day, item_id): every primary-key column must be named, so that a line"
            + " names one row (the primary key of " + ks + ".items_int is (tenant, day, added_date, item_id))");
    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of("a,1")).keyColumns("tenant", "payload")
        .table(session, ks + ".items_int").idColumn("tenant").build().shards())
        .hasMessageStartingWith("keyColumns is (tenant, payload): payload is not a primary-key column");
  }

  private void assertRefused(String type, List<String> lines, String expected) throws IOException {
    Path file = Files.write(dir.resolve("bad-" + type + ".csv"), lines, StandardCharsets.UTF_8);
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    RecordingHandler handler = new RecordingHandler();
    ReprocessJob job = ReprocessJob.builder("bad-" + type)
        .selector(IdListSelector.builder().idsFile(file).chunkSize(1)
            .keyColumns("tenant", "day", "added_date", "item_id").table(session, ks + ".items_" + type)
            .idColumn("item_id").build())
        .handler(handler).checkpointStore(store).build();

    JobReport report = job.run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure().orElseThrow()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("idsFile is '" + file + "'" + expected);
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("bad-" + type)).isEmpty();
  }

  @Test
  void theLoaderRefusesAnEventWithoutTheKeyAndLoadsByAKeyMap() {
    AssetLoader loader = loader("int");
    Inserted row = rows.get("int").get(5);
    ReprocessEvent event = new ReprocessEvent("e1", "j", row.itemId().toString(), null, "s", 1, Instant.EPOCH,
        Map.of("tenant", row.tenant(), "day", row.day().toString()));
    assertThatThrownBy(() -> loader.load(event))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("attribute 'added_date' of event e1 (shard s), for " + ks + ".items_int is missing:"
            + " the primary key of " + ks + ".items_int is (tenant, day, added_date, item_id)");
    ReprocessEvent badDay = new ReprocessEvent("e2", "j", row.itemId().toString(), null, "s", 1, Instant.EPOCH,
        Map.of("tenant", "a", "day", "tomorrow", "added_date", row.addedDate().toString()));
    assertThatThrownBy(() -> loader.loadAsync(badDay))
        .hasMessage("attribute 'day' of event e2 (shard s), for " + ks + ".items_int: column day is date, the value"
            + " 'tomorrow' is not one (a date is yyyy-mm-dd)");
    assertThatThrownBy(() -> loader.load("1"))
        .hasMessageStartingWith("assetId is '1': the primary key of " + ks + ".items_int is (tenant, day,"
            + " added_date, item_id), an id alone does not name a row");
    Map<String, String> key = Map.of("tenant", row.tenant(), "day", row.day().toString(),
        "added_date", row.addedDate().toString(), "item_id", row.itemId().toString());
    assertThat(loader.load(key)).get().extracting(r -> r.getString("payload")).isEqualTo(row.payload());
    assertThat(loader.loadAsync(Map.of("tenant", "zz", "day", "2026-12-01", "added_date", "2026-12-01T00:00:00Z",
        "item_id", "1")).toCompletableFuture().join()).isEmpty();
    assertThatThrownBy(() -> AssetLoader.builder(session).table(ks + ".items_int").idColumn("payload").build())
        .hasMessage("idColumn is 'payload': table " + ks + ".items_int has primary key (tenant, day, added_date,"
            + " item_id), the id column must be one of its columns");
  }
}
