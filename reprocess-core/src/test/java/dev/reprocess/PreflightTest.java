package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.FileDeadLetterSink;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testing.RecordingSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job that cannot deliver fails before its first event, having written nothing. */
class PreflightTest {

  @TempDir Path dir;

  private final InMemorySelector selector = InMemorySelector.ofIds(ids(30), 3);
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
  private final RecordingHandler handler = new RecordingHandler();

  private ReprocessJob.Builder job() {
    return ReprocessJob.builder("preflight").selector(selector).pageSize(4).shardsInParallel(2)
        .checkpointStore(store).deadLetterSink(deadLetters);
  }

  @Test
  void aSinkThatCannotDeliverFailsTheJobBeforeItsFirstEvent() {
    RecordingSink recording = new RecordingSink();
    EventSink unusable = new EventSink() {
      @Override
      public CompletionStage<Outcome> deliver(ReprocessEvent event) {
        return recording.deliver(event);
      }

      @Override
      public void preflight() {
        throw new ReprocessException("topic 'events' does not exist");
      }
    };

    JobReport report = job().sink(unusable).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage())
        .contains("the sink " + unusable.describe() + " cannot be used, so no event was delivered")
        .contains("topic 'events' does not exist");
    assertThat(recording.events()).isEmpty();
    assertThat(store.load("preflight")).isEmpty();
    assertThat(deadLetters.deadLetters()).isEmpty();
    assertThat(selector.pagesRead()).isZero();

    JobReport rerun = job().sink(new RecordingSink()).build().run();
    assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(rerun.succeeded()).isEqualTo(30);
  }

  @Test
  void aCursorTheSelectorRefusesFailsTheRunBeforeAnyShardIsRead() {
    // mem-0 would be read first; the bad cursor is on the last shard.
    store.save(new Checkpoint("preflight", "mem-2", Cursor.of("es-seqno:v2:41:99"), Checkpoint.State.IN_PROGRESS,
        3, 3, 0, 0, Instant.EPOCH));

    JobReport report = job().handler(handler).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage())
        .contains("the checkpoint of shard 'mem-2' holds cursor 'es-seqno:v2:41:99'")
        .contains("an in-memory cursor must be an index between 20 and 30")
        .contains("restart(true)");
    assertThat(handler.count()).isZero();
    assertThat(store.load("preflight").keySet()).containsExactly("mem-2");
    assertThat(selector.opens()).isZero();

    JobReport restarted = job().handler(handler).restart(true).build().run();
    assertThat(restarted.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(30));
  }

  @Test
  void aCheckpointDirectoryThatCannotTakeTheFileFailsBeforeTheFirstEvent() {
    // A directory that exists and reads (no checkpoint file yet) but takes no file, even for root.
    Path readOnly = Path.of("/proc/self");
    assertThat(readOnly).isDirectory();

    JobReport report = job().handler(handler).checkpointStore(new FileCheckpointStore(readOnly)).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    // The file lease (taken first) or the preflight, whichever touches the directory first, names it.
    assertThat(report.failureCause().getMessage()).contains(readOnly.toString());
    assertThat(handler.count()).isZero();
    assertThat(selector.pagesRead()).isZero();

    FileCheckpointStore good = new FileCheckpointStore(dir.resolve("good"));
    assertThat(job().handler(handler).checkpointStore(good).build().run().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(good.load("preflight")).hasSize(3).allSatisfy((id, cp) -> assertThat(cp.completed()).isTrue());
  }

  @Test
  void aDeadLetterFileThatCannotBeWrittenFailsBeforeTheFirstEvent() throws Exception {
    Path blocker = Files.writeString(dir.resolve("blocker"), "x");
    FileDeadLetterSink sink = new FileDeadLetterSink(blocker.resolve("dead-letters.jsonl"));

    JobReport report = job().handler(handler).deadLetterSink(sink).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage())
        .contains("the dead-letter sink")
        .contains("dead-letter file " + sink.file() + " cannot be appended to");
    assertThat(handler.count()).isZero();
    assertThat(store.load("preflight")).isEmpty();
  }

  @Test
  void aHostsSinkIsCheckedToo() {
    EventSink refusing = new EventSink() {
      @Override
      public CompletionStage<Outcome> deliver(ReprocessEvent event) {
        throw new AssertionError("delivered " + event.assetId() + " after a failed preflight");
      }

      @Override
      public void preflight() {
        throw new ReprocessException("brokers at 127.0.0.1:1 do not answer");
      }
    };

    JobReport report = ReprocessJob.builder("preflight").selector(selector).checkpointStore(store)
        .deadLetterSink(deadLetters).sink(refusing).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage()).contains("brokers at 127.0.0.1:1 do not answer");
    assertThat(store.load("preflight")).isEmpty();
  }
}
