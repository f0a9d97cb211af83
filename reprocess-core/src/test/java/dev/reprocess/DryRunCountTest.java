package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ReprocessJob#count()}: counts per shard, delivers nothing, writes nothing. */
class DryRunCountTest {

  /** A checkpoint store that records every call; a dry run must make none. */
  static final class RecordingStore implements CheckpointStore {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Map<String, Checkpoint> load(String jobName) {
      calls.add("load " + jobName);
      return Map.of();
    }

    @Override
    public void save(Checkpoint checkpoint) {
      calls.add("save " + checkpoint.shardId());
    }

    @Override
    public void delete(String jobName) {
      calls.add("delete " + jobName);
    }
  }

  @Test
  void countsEveryShardAndTouchesNeitherSinkNorCheckpointsNorDeadLetters() {
    InMemorySelector selector = InMemorySelector.ofIds(ids(1003), 7);
    RecordingSink sink = new RecordingSink();
    RecordingStore store = new RecordingStore();
    List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());
    Map<String, Long> heard = new ConcurrentHashMap<>();
    ReprocessJob job = ReprocessJob.builder("dry").selector(selector).sink(sink).checkpointStore(store)
        .deadLetterSink(deadLetters::add).pageSize(10).shardsInParallel(3).restart(true)
        .listener(new JobListener() {
          @Override
          public void onShardCounted(String jobName, Shard shard, long count) {
            heard.put(shard.id(), count);
          }
        }).build();

    SelectionCount count = job.count();

    Map<String, Long> expected = new LinkedHashMap<>();
    for (Shard s : selector.shards()) {
      expected.put(s.id(), selector.estimateCount(s).orElseThrow());
    }
    assertThat(count.total()).isEqualTo(1003);
    assertThat(count.perShard()).containsExactlyEntriesOf(expected);
    assertThat(count.perShard().values()).doesNotContain(0L);
    assertThat(heard).isEqualTo(expected);
    assertThat(count.shards()).isEqualTo(7);
    assertThat(sink.events()).isEmpty();
    assertThat(sink.flushCount()).isZero();
    assertThat(sink.isClosed()).isFalse();
    assertThat(store.calls).isEmpty();
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void countsWhatARunThenDelivers() {
    InMemorySelector selector = InMemorySelector.ofIds(ids(257), 5);
    RecordingSink sink = new RecordingSink();
    ReprocessJob job = ReprocessJob.builder("dry-then-run").selector(selector).sink(sink).pageSize(16).build();

    SelectionCount count = job.count();
    JobReport report = job.run().throwIfFailed();

    assertThat(count.total()).isEqualTo(report.selected()).isEqualTo(sink.events().size()).isEqualTo(257);
    assertThat(report.warnings()).isEmpty();
  }

  @Test
  void neverCallsTheHandler() {
    AtomicInteger calls = new AtomicInteger();
    ReprocessJob job = ReprocessJob.builder("dry-handler").selector(InMemorySelector.ofIds(ids(50), 2))
        .handler(e -> {
          calls.incrementAndGet();
          return Outcome.SUCCEEDED;
        }).build();
    assertThat(job.count().total()).isEqualTo(50);
    assertThat(calls).hasValue(0);
  }

  @Test
  void logsEachShardAndWarnsLoudlyOnZero() {
    ReprocessJob job = ReprocessJob.builder("dry-empty").selector(InMemorySelector.ofIds(List.of(), 3))
        .handler(e -> Outcome.SUCCEEDED).build();
    SelectionCount[] count = new SelectionCount[1];
    List<ILoggingEvent> logs = EngineLogs.capture(() -> count[0] = job.count());

    assertThat(count[0].total()).isZero();
    assertThat(count[0].nothingSelected()).isTrue();
    assertThat(count[0].perShard()).containsOnlyKeys("mem-0", "mem-1", "mem-2").allSatisfy((k, v) -> assertThat(v).isZero());
    assertThat(logs).filteredOn(e -> e.getFormattedMessage().contains("dry run: shard mem-")).hasSize(3);
    assertThat(logs).filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .singleElement().asString().contains("0 assets selected by in memory (0 assets, 3 shards) (it listed 3 shards and none held an asset)");
  }

  @Test
  void aShardThatCannotBeReadFailsTheCountNamingIt() {
    AssetSelector broken = new AssetSelector() {
      @Override
      public List<Shard> shards() {
        return List.of(Shard.of("ok", null), Shard.of("bad", null));
      }

      @Override
      public Paginator open(Shard shard, Cursor from, int pageSize) {
        if (shard.id().equals("bad")) {
          throw new ReprocessException("backend down");
        }
        return () -> new Page(List.of(), null, true);
      }
    };
    ReprocessJob job = ReprocessJob.builder("dry-broken").selector(broken).handler(e -> Outcome.SUCCEEDED).build();
    assertThatThrownBy(job::count).isInstanceOf(ReprocessException.class)
        .hasMessageContaining("shard bad could not be counted: backend down");
  }

  @Test
  void theShardCapHoldsForACount() {
    ReprocessJob job = ReprocessJob.builder("dry-cap").selector(InMemorySelector.ofIds(ids(10), 5))
        .handler(e -> Outcome.SUCCEEDED).maxShards(4).checkpointStore(new InMemoryCheckpointStore()).build();
    assertThatThrownBy(job::count).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxShards is 4");
  }
}
