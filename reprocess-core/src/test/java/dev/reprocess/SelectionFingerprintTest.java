package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectionFingerprintTest {

  @TempDir Path dir;

  private static ReprocessJob.Builder job(AssetSelector selector, CheckpointStore store, RecordingHandler handler) {
    return ReprocessJob.builder("fingerprint").selector(selector).handler(handler).pageSize(5)
        .checkpointStore(store);
  }

  @Test
  void aChangedSelectionIsRefusedBeforeAnythingIsReadNamingWhatChanged() {
    FileCheckpointStore store = new FileCheckpointStore(dir);
    assertThat(job(InMemorySelector.ofIds(ids(20), 2), store, new RecordingHandler()).build().run()
        .status()).isEqualTo(JobStatus.COMPLETED);
    Map<String, Checkpoint> before = store.load("fingerprint");

    InMemorySelector changed = InMemorySelector.ofIds(ids(30), 2);
    RecordingHandler handler = new RecordingHandler();
    JobReport report = job(changed, new FileCheckpointStore(dir), handler).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).hasMessageContaining("job 'fingerprint'")
        .hasMessageContaining("size: '20' -> '30'").hasMessageContaining("restart(true)")
        .hasMessageContaining("acceptChangedSelection(true)");
    assertThat(changed.opens()).isZero();
    assertThat(handler.count()).isZero();
    assertThat(store.load("fingerprint")).isEqualTo(before);
  }

  @Test
  void restartStartsOverAndStoresTheNewDefinition() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    job(InMemorySelector.ofIds(ids(20), 2), store, new RecordingHandler()).build().run();

    InMemorySelector changed = InMemorySelector.ofIds(ids(30), 3);
    RecordingHandler handler = new RecordingHandler();
    assertThat(job(changed, store, handler).restart(true).build().run().status())
        .isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(30));
    assertThat(store.loadSelection("fingerprint")).contains(changed.selectionDefinition());
  }

  @Test
  void acceptChangedSelectionResumesTheOldCheckpoints() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    job(InMemorySelector.ofIds(ids(20), 2), store, new RecordingHandler()).build().run();

    // Shard mem-0 (completed under the old selection) is skipped; mem-1 covers ids 15..29 now and
    // resumes from its cursor 20.
    RecordingHandler handler = new RecordingHandler();
    JobReport report = job(InMemorySelector.ofIds(ids(30), 2), store, handler)
        .acceptChangedSelection(true).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).isEmpty();
  }

  @Test
  void aSelectorWithoutDefinitionOrAStoreWithoutSelectionsIsNotChecked() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    job(InMemorySelector.ofIds(ids(20), 2), store, new RecordingHandler()).build().run();
    AssetSelector undefined = new ForwardingSelector(InMemorySelector.ofIds(ids(30), 2));
    assertThat(job(undefined, store, new RecordingHandler()).build().run().status())
        .isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void differencesNameAddedRemovedAndChangedProperties() {
    String a = SelectionDefinition.of(Map.of("kind", "k", "window", "[1, 2)", "types", "a"));
    String b = SelectionDefinition.of(Map.of("kind", "k", "window", "[1, 3)", "query", "q"));
    assertThat(a).isEqualTo("kind=k\ntypes=a\nwindow=[1, 2)");
    assertThat(SelectionDefinition.differences(a, b))
        .containsExactly("+query: 'q'", "-types: 'a'", "window: '[1, 2)' -> '[1, 3)'");
    assertThat(SelectionDefinition.differences(a, a)).isEmpty();
    assertThat(SelectionDefinition.fingerprint(a)).hasSize(64).isNotEqualTo(SelectionDefinition.fingerprint(b));
  }

  /** A host's own selector: no definition. */
  private record ForwardingSelector(InMemorySelector inner) implements AssetSelector {
    @Override
    public List<Shard> shards() {
      return inner.shards();
    }

    @Override
    public Paginator open(Shard shard, Cursor from, int pageSize) {
      return inner.open(shard, from, pageSize);
    }
  }
}
