package dev.reprocess.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.SelectionCount;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On the real Elasticsearch: a dry run counts exactly the documents the query matches, then a run
 * delivers them; a query on a misspelled field fails before anything is read or written, naming
 * the field, the index and the closest mapped field, and runs (selecting nothing, loudly) with
 * {@code allowUnmappedFields(true)}.
 */
class DryRunAndMappingCheckIT {

  private static final int DOCS = 900;
  private static ElasticsearchClient client;
  private static AssetsIndex assets;

  @BeforeAll
  static void load() throws Exception {
    client = AssetsIndex.client(TestBackends.elasticsearch().url());
    assets = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-dryrun"), 3, DOCS);
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

  private static ElasticsearchSelector.Builder selector(String query) {
    return ElasticsearchSelector.builder(client).index(assets.name).query(query).slices(2);
  }

  private static ReprocessJob job(String name, ElasticsearchSelector selector, RecordingHandler handler,
      InMemoryCheckpointStore store) {
    return ReprocessJob.builder(name).selector(selector).handler(handler).checkpointStore(store).pageSize(50).build();
  }

  @Test
  void aDryRunCountsTheMatchingDocumentsThenARunDeliversThem() {
    List<String> truth = assets.idsWhere(d -> "image/png".equals(d.get("asset_type"))
        && ((Number) AssetsIndex.payload(d).get("size_bytes")).longValue() >= 5_000_000L);
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob job = job("es-count", selector("{\"bool\": {\"filter\": [{\"term\": {\"asset_type\": \"image/png\"}},"
        + " {\"range\": {\"payload.size_bytes\": {\"gte\": 5000000}}}]}}").build(), handler, store);

    SelectionCount count = job.count();

    assertThat(count.total()).isEqualTo(truth.size()).isGreaterThan(50);
    assertThat(count.shards()).isEqualTo(6);
    assertThat(count.perShard().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(truth.size());
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("es-count")).isEmpty();

    JobReport report = job.run().throwIfFailed();
    assertThat(report.selected()).isEqualTo(count.total());
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(truth);
  }

  @Test
  void aMisspelledFieldFailsBeforeAnythingIsReadOrWrittenAndPassesWhenAllowed() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    String misspelled = "{\"bool\": {\"filter\": [{\"exists\": {\"field\": \"payload.codec\"}},"
        + " {\"term\": {\"asset_typ\": \"image/png\"}}]}}";

    JobReport report = job("es-typo", selector(misspelled).build(), handler, store).run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    Throwable error = report.failure().orElseThrow();
    System.out.println("MAPPING CHECK: " + error.getMessage());
    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("query uses field 'asset_typ' (in a term clause), which no index of '" + assets.name + "' maps,"
            + " so the query would match nothing; mapped fields with a close name: asset_type. Fix the field name,"
            + " or set allowUnmappedFields(true) if the field is mapped later on purpose.");
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("es-typo")).isEmpty();
    assertThatThrownBy(() -> selector("{\"exists\": {\"field\": \"payload.codc\"}}").build().shards())
        .hasMessageStartingWith("query uses field 'payload.codc' (in a exists clause)")
        .hasMessageContaining("close name: payload.codec");

    JobReport allowed = job("es-typo", selector(misspelled).allowUnmappedFields(true).build(), handler, store).run();
    assertThat(allowed.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(allowed.selected()).isZero();
    assertThat(allowed.warnings()).singleElement().asString().startsWith("0 assets selected by ")
        .contains("the query's field names against the index mapping");

    JobReport fixed = job("es-fixed", selector(misspelled.replace("asset_typ\"", "asset_type\"")).build(), handler,
        new InMemoryCheckpointStore()).run().throwIfFailed();
    assertThat(fixed.selected()).isEqualTo(assets.idsWhere(d -> "image/png".equals(d.get("asset_type"))).size());
  }
}
