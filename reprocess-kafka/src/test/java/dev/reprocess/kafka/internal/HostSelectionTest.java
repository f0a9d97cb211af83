package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.EventHandler;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.SelectionDefinition;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The selection check a distributed host makes once for all its host jobs. */
class HostSelectionTest {
  private static final String JOB = "backfill";
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b", "c", "d"), 2);

  @Test
  void theHostStoresTheDefinitionOnceAndItsHostJobsCheckAgainstItWithoutWritingTheirOwn() {
    CheckpointStore shardStore = HostSelection.verify(store, JOB, selector.selectionDefinition(), false);

    assertThat(store.loadSelection(JOB)).contains(selector.selectionDefinition());
    String hostJob = ShardJobs.hostJob(JOB, 1);
    JobReport report = ReprocessJob.builder(hostJob)
        .selector(new RecordSelector(selector, List.of(selector.shards().get(0)), selector.selectionDefinition()))
        .checkpointStore(shardStore).handler(EventHandler.of(e -> {})).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.load(hostJob).values()).allMatch(c -> c.completed());
    assertThat(store.loadSelection(hostJob)).as("no definition written per host job").isEmpty();
  }

  @Test
  void aChangedSelectionIsRefusedNamingTheJobAndTheChangeUnlessAccepted() {
    String before = SelectionDefinition.of(Map.of("window", "2024-05-01/2024-05-16"));
    String after = SelectionDefinition.of(Map.of("window", "2024-05-01/2024-05-20"));
    HostSelection.verify(store, JOB, before, false);

    assertThatThrownBy(() -> HostSelection.verify(store, JOB, after, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("job 'backfill'")
        .hasMessageContaining("window: '2024-05-01/2024-05-16' -> '2024-05-01/2024-05-20'")
        .hasMessageContaining("acceptChangedSelection(true)");
    assertThat(store.loadSelection(JOB)).contains(before);

    CheckpointStore shardStore = HostSelection.verify(store, JOB, after, true);
    assertThat(store.loadSelection(JOB)).contains(after);
    assertThat(shardStore.loadSelection(ShardJobs.hostJob(JOB, 1))).contains(after);
  }

  @Test
  void withoutADefinitionOrAStoreThatKeepsNoneTheShardJobsUseTheStoreItself() {
    assertThat(HostSelection.verify(store, JOB, null, false)).isSameAs(store);
    CheckpointStore keepsNone = new CheckpointStore() { // keepsSelection() is false by default
      @Override
      public Map<String, Checkpoint> load(String jobName) {
        return Map.of();
      }

      @Override
      public void save(Checkpoint checkpoint) {}

      @Override
      public void delete(String jobName) {}
    };
    assertThat(HostSelection.verify(keepsNone, JOB, selector.selectionDefinition(), false)).isSameAs(keepsNone);
    assertThat(store.loadSelection(JOB)).isEqualTo(Optional.empty());
  }
}
