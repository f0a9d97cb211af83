package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Outcome;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DistributedJob.Builder#build()} refuses bad options before any I/O, naming them. */
class DistributedJobBuilderTest {

  private static DistributedJob.Builder valid() {
    return DistributedJob.builder("backfill").bootstrapServers("localhost:9")
        .selector(InMemorySelector.ofIds(List.of("a", "b"), 2))
        .checkpointStore(new InMemoryCheckpointStore())
        .jobOptions(b -> b.handler(e -> Outcome.SUCCEEDED));
  }

  @Test
  void defaultsNameTheTopicAndGroupAfterTheJob() {
    DistributedJob job = valid().build();
    assertThat(job.shardTopic()).isEqualTo("backfill.shards");
    assertThat(job.groupId()).isEqualTo("backfill.hosts");
  }

  @Test
  void badOptionsAreRefusedNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> valid().partitions(0).build()).hasMessageContaining("partitions is 0");
    assertThatThrownBy(() -> valid().shardsInParallel(0).build()).hasMessageContaining("shardsInParallel is 0");
    assertThatThrownBy(() -> valid().shardsPerRecord(0).build())
        .hasMessageContaining("shardsPerRecord is 0: it must be 1 to 10000");
    assertThatThrownBy(() -> valid().shardsPerRecord(10_001).build()).hasMessageContaining("shardsPerRecord is 10001");
    assertThatThrownBy(() -> valid().stopTimeout(Duration.ZERO).build()).hasMessageContaining("stopTimeout is PT0S");
    assertThatThrownBy(() -> valid().publishTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("publishTimeout is PT-1S: it must be positive");
    assertThatThrownBy(() -> valid().selector(null).build()).hasMessageContaining("selector is null");
    assertThatThrownBy(() -> DistributedJob.builder("a/b").build()).hasMessageContaining("name is 'a/b'");
    assertThatThrownBy(() -> valid().jobOptions(b -> b.pageSize(0)).build())
        .hasMessageStartingWith("jobOptions: ").hasMessageContaining("pageSize");
    assertThatThrownBy(() -> valid().jobOptions(b -> { }).build())
        .hasMessageContaining("jobOptions: handler and sink are both null");
  }

  @Test
  void aSelectionOfMoreShardsThanMaxShardsIsRefusedBeforeAnythingIsPublishedOrJoined() {
    // bootstrap localhost:9 answers nothing: the refusal comes before any Kafka call.
    DistributedJob job = valid().selector(InMemorySelector.ofIds(List.of("a", "b", "c"), 3))
        .jobOptions(b -> b.handler(e -> Outcome.SUCCEEDED).maxShards(2)).build();
    assertThatThrownBy(job::publishShards).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job 'backfill': the selector lists 3 shards, more than maxShards (2)")
        .hasMessageContaining("raise maxShards in jobOptions");
    assertThatThrownBy(job::runHost).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the selector lists 3 shards, more than maxShards (2)");
  }

  @Test
  void theStatusReaderRefusesBadOptionsNamingThemBeforeAnyIo() {
    DistributedStatusReader.Builder ok = DistributedStatusReader.builder("backfill").bootstrapServers("localhost:9")
        .checkpointStore(new InMemoryCheckpointStore());
    assertThat(ok.build()).isNotNull();
    assertThatThrownBy(() -> DistributedStatusReader.builder(" ").bootstrapServers("localhost:9")
        .checkpointStore(new InMemoryCheckpointStore()).build()).hasMessageContaining("jobName is ' '");
    assertThatThrownBy(() -> DistributedStatusReader.builder("backfill").bootstrapServers("localhost:9").build())
        .hasMessageContaining("checkpointStore is not set");
    assertThatThrownBy(() -> ok.apiTimeout(Duration.ZERO).build())
        .hasMessage("apiTimeout is PT0S: it must be positive and at most PT1H");
    assertThatThrownBy(() -> DistributedStatusReader.builder("backfill")
        .checkpointStore(new InMemoryCheckpointStore()).build()).hasMessageContaining("bootstrapServers is 'null'");
  }
}
