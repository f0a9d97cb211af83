package dev.reprocess.elasticsearch;

import static dev.reprocess.elasticsearch.AssetsIndex.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.AssetRef;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.elasticsearch.internal.SeqNoPaginator;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The selector against a real Elasticsearch: 50,000 documents in an index with 2 primary shards
 * (0 replicas), read through the engine ({@link ReprocessJob}) or through the SPI directly.
 */
class ElasticsearchSelectorIT {

  private static final int DOCS = 50_000;
  private static ElasticsearchClient client;
  private static AssetsIndex assets;

  @BeforeAll
  static void load() throws Exception {
    client = AssetsIndex.client(TestBackends.elasticsearch().url());
    assets = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-assets"), 2, DOCS);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      if (assets != null) {
        AssetsIndex.deleteQuietly(client, assets.name);
      }
      AssetsIndex.close(client);
    }
  }

  private static ReprocessJob.Builder job(String name, ElasticsearchSelector selector, RecordingHandler handler) {
    return ReprocessJob.builder(name).selector(selector).handler(handler).pageSize(500).shardsInParallel(4).concurrency(64);
  }

  private static String jobName(String what) {
    return what + "-" + Long.toString(new Random().nextLong() >>> 1, 36);
  }

  @Test
  void aQueryOnPayloadFieldsSelectsExactlyTheMatchingIdsWithTheirTypeAndAttributes() {
    List<String> expected = assets.idsWhere(d -> payload(d).get("codec").equals("h264")
        && ((Number) payload(d).get("size_bytes")).longValue() >= 5_000_000L);
    ElasticsearchSelector selector = ElasticsearchSelector.builder(client)
        .index(assets.name)
        .query("{\"bool\": {\"filter\": [\n"
            + "  {\"term\": {\"payload.codec\": \"h264\"}},\n"
            + "  {\"range\": {\"payload.size_bytes\": {\"gte\": 5000000}}}]}}")
        .idField("asset_id")
        .assetTypeField("asset_type")
        .attributeFields("payload.size_bytes", "batch")
        .build();
    RecordingHandler handler = new RecordingHandler();

    JobReport report = job(jobName("es-query"), selector, handler).build().run().throwIfFailed();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(report.shardsTotal()).isEqualTo(2);
    for (ReprocessEvent e : handler.handled().subList(0, 50)) {
      Map<String, Object> doc = assets.docs.get(e.assetId());
      assertThat(e.assetType()).isEqualTo(doc.get("asset_type"));
      assertThat(e.attributes()).isEqualTo(Map.of(
          "payload.size_bytes", payload(doc).get("size_bytes").toString(), "batch", doc.get("batch")));
    }
  }

  @Test
  void fourSlicesPerShardCoverEverythingWithNoOverlap() {
    ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(assets.name).slices(4).build();
    List<Shard> shards = selector.shards();
    assertThat(shards).extracting(Shard::id).containsExactly(
        assets.name + "[0]/slice-0-of-4", assets.name + "[0]/slice-1-of-4", assets.name + "[0]/slice-2-of-4", assets.name + "[0]/slice-3-of-4",
        assets.name + "[1]/slice-0-of-4", assets.name + "[1]/slice-1-of-4", assets.name + "[1]/slice-2-of-4", assets.name + "[1]/slice-3-of-4");
    long estimated = shards.stream().mapToLong(s -> selector.estimateCount(s).orElseThrow()).sum();
    assertThat(estimated).isEqualTo(DOCS);

    Map<String, Set<String>> idsByShard = new HashMap<>();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      synchronized (idsByShard) {
        idsByShard.computeIfAbsent(e.shardId(), k -> new HashSet<>()).add(e.assetId());
      }
      return null;
    });
    JobReport report = job(jobName("es-slices"), selector, handler).shardsInParallel(8).build().run().throwIfFailed();

    assertThat(report.shardsCompleted()).isEqualTo(8);
    assertThat(handler.count()).as("no id twice").isEqualTo(DOCS);
    assertThat(handler.distinctHandledAssetIds()).isEqualTo(assets.docs.keySet());
    assertThat(idsByShard).hasSize(8);
    assertThat(idsByShard.values()).allSatisfy(ids -> assertThat(ids.size()).as("balanced slices").isBetween(DOCS / 8 - 4096, DOCS / 8 + 4096));
  }

  @Test
  void aCancelledRunContinuesFromItsCheckpointsInNewPointsInTime(@TempDir Path checkpoints) throws Exception {
    String name = jobName("es-resume");
    FileCheckpointStore store = new FileCheckpointStore(checkpoints);
    AtomicReference<JobExecution> running = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    RecordingHandler first = new RecordingHandler().beforeEach(e -> {
      if (calls.incrementAndGet() == 20_000) {
        synchronized (running) {
          running.get().cancel(); // as an operator would, 20,000 events in
        }
      }
      return null;
    });
    ReprocessJob run1 = job(name, ElasticsearchSelector.builder(client).index(assets.name).slices(2).build(), first)
        .checkpointStore(store).build();
    JobExecution execution;
    synchronized (running) {
      execution = run1.start();
      running.set(execution);
    }
    JobReport report1 = execution.await(Duration.ofMinutes(3));
    assertThat(report1.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(first.distinctHandledAssetIds().size()).isBetween(1000, DOCS - 1000);

    RecordingHandler second = new RecordingHandler();
    JobReport report2 = job(name, ElasticsearchSelector.builder(client).index(assets.name).slices(2).build(), second)
        .checkpointStore(store).build().run().throwIfFailed();

    assertThat(report2.status()).isEqualTo(JobStatus.COMPLETED);
    Set<String> union = new HashSet<>(first.distinctHandledAssetIds());
    union.addAll(second.distinctHandledAssetIds());
    assertThat(union).isEqualTo(assets.docs.keySet());
    Set<String> again = new HashSet<>(first.distinctHandledAssetIds());
    again.retainAll(second.distinctHandledAssetIds());
    // at most the pages in flight when it stopped: 2 pages x 500 x 4 shards in parallel
    assertThat(again.size()).as("delivered by both runs").isLessThanOrEqualTo(2 * 500 * 4);
    assertThat(report2.selected()).isLessThanOrEqualTo(DOCS - first.distinctHandledAssetIds().size() + 2 * 500 * 4);
  }

  @Test
  void aPointInTimeClosedBehindItsBackIsReopenedAndReadToItsEnd() throws Exception {
    String index = AssetsIndex.uniqueName("reprocess-it-expiry");
    AssetsIndex small = AssetsIndex.create(client, index, 1, 5000);
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(index).fetchSize(500).build()) {
      Shard shard = selector.shards().get(0);
      List<String> reference = new ArrayList<>();
      try (Paginator p = selector.open(shard, null, 500)) {
        Page page;
        do {
          page = p.nextPage();
          page.assets().forEach(a -> reference.add(a.assetId()));
        } while (!page.last());
      }
      assertThat(reference).hasSize(5000).doesNotHaveDuplicates();

      List<String> read = new ArrayList<>();
      List<String> added = new ArrayList<>();
      try (SeqNoPaginator p = (SeqNoPaginator) selector.open(shard, null, 500)) {
        for (int i = 0; i < 3; i++) {
          p.nextPage().assets().forEach(a -> read.add(a.assetId()));
        }
        String pit = p.pointInTimeId();
        assertThat(client.closePointInTime(c -> c.id(pit)).numFreed()).isEqualTo(1);
        // written after the selection started: in the new point in time, after the rest
        added.addAll(AssetsIndex.generate(100, new Random(7)).keySet());
        AssetsIndex.index(client, index, AssetsIndex.generate(100, new Random(7)));
        client.indices().refresh(r -> r.index(index));
        Page page;
        do {
          page = p.nextPage();
          page.assets().forEach(a -> read.add(a.assetId()));
        } while (!page.last());
        assertThat(p.pointInTimeOpens()).isEqualTo(2);
      }
      assertThat(read.subList(0, reference.size())).as("continues exactly").isEqualTo(reference);
      assertThat(read.subList(reference.size(), read.size())).containsExactlyInAnyOrderElementsOf(added);
    } finally {
      AssetsIndex.deleteQuietly(client, index);
    }
    assertThat(small.docs).hasSize(5000);
  }

  @Test
  void badInputFailsTheJobBeforeAnythingIsWritten(@TempDir Path checkpoints) throws Exception {
    FileCheckpointStore store = new FileCheckpointStore(checkpoints);
    RecordingHandler handler = new RecordingHandler();
    Map<String, ElasticsearchSelector.Builder> cases = new HashMap<>();
    cases.put("no open index or alias of that name exists",
        ElasticsearchSelector.builder(client).index(assets.name + "-missing"));
    cases.put("no open index or alias of that name exists (or the pattern matches none)",
        ElasticsearchSelector.builder(client).index("reprocess-it-nothing-*"));
    cases.put("idField is 'title': it is a text field in index",
        ElasticsearchSelector.builder(client).index(assets.name).idField("title"));
    cases.put("idField is 'payload.size_bytes': it is a long field",
        ElasticsearchSelector.builder(client).index(assets.name).idField("payload.size_bytes"));
    cases.put("idField is 'asset_uuid': no index of",
        ElasticsearchSelector.builder(client).index(assets.name).idField("asset_uuid"));
    cases.put("assetTypeField is 'created_at': it is a date field",
        ElasticsearchSelector.builder(client).index(assets.name).assetTypeField("created_at"));
    cases.put("attributeFields is 'title': it has no doc values",
        ElasticsearchSelector.builder(client).index(assets.name).attributeFields("batch", "title"));
    cases.put("Elasticsearch rejects it for index",
        ElasticsearchSelector.builder(client).index(assets.name).query("{\"trem\": {\"batch\": \"b1\"}}"));
    cases.put("failed to parse date field [not-a-date]",
        ElasticsearchSelector.builder(client).index(assets.name).query("{\"range\": {\"created_at\": {\"gte\": \"not-a-date\"}}}"));
    for (Map.Entry<String, ElasticsearchSelector.Builder> c : cases.entrySet()) {
      JobReport report = job(jobName("es-bad"), c.getValue().build(), handler).checkpointStore(store).build().run();
      assertThat(report.status()).as(c.getKey()).isEqualTo(JobStatus.FAILED);
      assertThat(report.failure()).get().as(c.getKey()).isInstanceOf(IllegalArgumentException.class);
      assertThat(report.failure().get().getMessage()).contains(c.getKey());
    }
    assertThat(handler.count()).isZero();
    try (var files = Files.list(checkpoints)) {
      // Only the jobs' lease files (taken before anything is read, released at the end) may be there.
      assertThat(files.filter(f -> !f.getFileName().toString().endsWith(".lease")).toList())
          .as("no checkpoint written").isEmpty();
    }
  }

  @Test
  void aFilteredAliasSelectsOnlyWhatItsFilterLetsThrough() throws Exception {
    String alias = assets.name + "-b5";
    client.indices().putAlias(a -> a.index(assets.name).name(alias).filter(f -> f.term(t -> t.field("batch").value("b5"))));
    try {
      RecordingHandler handler = new RecordingHandler();
      ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(alias)
          .query("{\"term\": {\"asset_type\": \"video/mp4\"}}").slices(2).build();
      job(jobName("es-alias"), selector, handler).build().run().throwIfFailed();
      List<String> expected = assets.idsWhere(d -> d.get("batch").equals("b5") && d.get("asset_type").equals("video/mp4"));
      assertThat(handler.handledAssetIds()).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      client.indices().deleteAlias(a -> a.index(assets.name).name(alias));
    }
  }

  @Test
  void aMalformedQueryIsRejectedWhenBuiltWithItsLineAndColumn() {
    assertThatThrownBy(() -> ElasticsearchSelector.builder(client).index(assets.name)
            .query("{\"bool\": {\"filter\": [\n  {\"term\": {\"batch\": b1}}\n]}}").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query is not a valid JSON query: at line 2, column");
  }

  @Test
  void timeuuidIdsCarryTheirCreationTime() {
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(assets.name)
            .query("{\"term\": {\"batch\": \"b3\"}}").idField("asset_id").build();
        Paginator paginator = selector.open(selector.shards().get(0), null, 20)) {
      List<AssetRef> page = paginator.nextPage().assets();
      assertThat(page).hasSize(20);
      for (AssetRef asset : page) {
        assertThat(asset.createdAt()).isEqualTo(Instant.parse((String) assets.docs.get(asset.assetId()).get("created_at")));
      }
    }
    assertThat(assets.docs.values().stream().map(d -> d.get("batch")).collect(Collectors.toSet())).hasSize(10);
  }
}
