package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loud zero: a job that selected nothing says so in its logs and its report. */
class NothingSelectedTest {

  private static JobReport[] runCapturing(ReprocessJob job, List<ILoggingEvent>[] logs) {
    JobReport[] report = new JobReport[1];
    logs[0] = EngineLogs.capture(() -> report[0] = job.run());
    return report;
  }

  @SuppressWarnings("unchecked")
  @Test
  void emptyShardsWarnInLogAndReport() {
    List<ILoggingEvent>[] logs = new List[1];
    ReprocessJob job = ReprocessJob.builder("zero").selector(InMemorySelector.ofIds(List.of(), 2))
        .handler(e -> Outcome.SUCCEEDED).build();
    JobReport report = runCapturing(job, logs)[0];

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.warnings()).singleElement().asString()
        .startsWith("0 assets selected by in memory (0 assets, 2 shards) (it listed 2 shards and none held an asset)")
        .contains("bucketing", "mapping", "id file");
    assertThat(report.toString()).contains("warnings=[0 assets selected");
    assertThat(logs[0]).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
        .contains("job 'zero': " + report.warnings().get(0));
  }

  @SuppressWarnings("unchecked")
  @Test
  void noShardAtAllWarnsToo() {
    AssetSelector none = new AssetSelector() {
      @Override
      public List<Shard> shards() {
        return List.of();
      }

      @Override
      public Paginator open(Shard shard, Cursor from, int pageSize) {
        throw new AssertionError("no shard to open");
      }
    };
    List<ILoggingEvent>[] logs = new List[1];
    JobReport report = runCapturing(ReprocessJob.builder("none").selector(none).handler(e -> Outcome.SUCCEEDED)
        .build(), logs)[0];
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.warnings()).singleElement().asString().contains("(it listed no shard)");
  }

  @Test
  void aJobThatSelectedSomethingHasNoWarning() {
    JobReport report = ReprocessJob.builder("some").selector(InMemorySelector.ofIds(ids(3), 2))
        .handler(e -> Outcome.SUCCEEDED).build().run();
    assertThat(report.selected()).isEqualTo(3);
    assertThat(report.warnings()).isEmpty();
    assertThat(report.toString()).doesNotContain("warnings");
  }

  @Test
  void aResumedRunWithEveryShardDoneDoesNotWarn() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob job = ReprocessJob.builder("resumed").selector(InMemorySelector.ofIds(ids(3), 2))
        .handler(e -> Outcome.SUCCEEDED).checkpointStore(store).build();
    job.run().throwIfFailed();
    JobReport again = job.run().throwIfFailed();
    assertThat(again.selected()).isZero();
    assertThat(again.warnings()).isEmpty();
  }
}
