package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testkit.TestBackends;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssetLoaderIT {
  private CqlSession session;
  private String ks;
  private final List<UUID> ids = new ArrayList<>();

  @BeforeAll
  void load() {
    session = Cassandra.session(TestBackends.cassandra());
    ks = Cassandra.newKeyspace(session, "loader");
    CassandraSchema.createReferenceSchema(session, ks, 1, BucketType.DATE);
    var insert = session.prepare("INSERT INTO " + ks + ".assets (asset_id, asset_type, bucket, created_at, metadata)"
        + " VALUES (?, ?, ?, ?, ?)");
    for (int i = 0; i < 20; i++) {
      Instant created = Instant.parse("2024-06-01T10:00:00Z").plusSeconds(i * 60L);
      UUID id = Uuids.startOf(created.toEpochMilli());
      ids.add(id);
      session.execute(insert.bind(id, "image/png", LocalDate.of(2024, 6, 1), created, Map.of("width", Integer.toString(100 + i))));
    }
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, ks);
      session.close();
    }
  }

  @Test
  void loadsTheRowOfAnAssetById() {
    AssetLoader loader = AssetLoader.builder(session).table(ks + ".assets").build();
    Row row = loader.load(ids.get(3).toString()).orElseThrow();
    assertThat(row.getString("asset_type")).isEqualTo("image/png");
    assertThat(row.getMap("metadata", String.class, String.class)).containsEntry("width", "103");
    assertThat(loader.load(Uuids.startOf(0).toString())).isEmpty();
    Optional<Row> async = loader.loadAsync(ids.get(4).toString()).toCompletableFuture().join();
    assertThat(async).get().extracting(r -> r.getInstant("created_at")).isEqualTo(Instant.parse("2024-06-01T10:04:00Z"));

    AssetLoader narrow = AssetLoader.builder(session).table(ks + ".assets").columns("metadata").build();
    assertThat(narrow.load(ids.get(0).toString()).orElseThrow().getColumnDefinitions().size()).isEqualTo(1);
    assertThatThrownBy(() -> loader.load("not-a-uuid"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("assetId for " + ks + ".assets: column asset_id is timeuuid, the value 'not-a-uuid' is not one");
  }

  @Test
  void handlersLoadTheRowsOfTheEventsAnIdListSelects() {
    AssetLoader loader = AssetLoader.builder(session).table(ks + ".assets").build();
    Map<String, String> widths = new ConcurrentHashMap<>();
    List<String> wanted = ids.subList(5, 15).stream().map(UUID::toString).toList();
    ReprocessJob.builder("load-rows")
        .selector(IdListSelector.builder().ids(wanted).chunkSize(4).assetType("image/png").build())
        .handler(event -> {
          Row row = loader.load(event).orElseThrow();
          widths.put(event.assetId(), row.getMap("metadata", String.class, String.class).get("width"));
          return Outcome.SUCCEEDED;
        })
        .build()
        .run()
        .throwIfFailed();
    assertThat(widths).hasSize(10);
    assertThat(widths.get(ids.get(9).toString())).isEqualTo("109");
  }
}
