package dev.reprocess.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.ReprocessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCheckpointStoreTest {

  @TempDir Path dir;

  static Checkpoint cp(String job, String shard, String cursor, Checkpoint.State state, long n) {
    return new Checkpoint(job, shard, cursor == null ? null : Cursor.of(cursor), state, n, n - 1, 1, 0,
        Instant.parse("2026-03-01T10:15:30.5Z"));
  }

  @Test
  void checkpointsSurviveReopeningTheStore() {
    FileCheckpointStore store = new FileCheckpointStore(dir.resolve("nested/cp"));
    Checkpoint a = cp("job-1", "image/png#2024-06-01", "{\"search_after\":[\"x\",3]}", Checkpoint.State.IN_PROGRESS, 10);
    Checkpoint b = cp("job-1", "mem-1", null, Checkpoint.State.COMPLETED, 0 + 1);
    store.save(a);
    store.save(b);
    store.save(cp("job-2", "s", "5", Checkpoint.State.IN_PROGRESS, 5));

    FileCheckpointStore reopened = new FileCheckpointStore(dir.resolve("nested/cp"));
    assertThat(reopened.load("job-1")).isEqualTo(Map.of(a.shardId(), a, b.shardId(), b));
    assertThat(reopened.load("job-2")).containsOnlyKeys("s");
    assertThat(reopened.load("never-ran")).isEmpty();
  }

  @Test
  void saveReplacesTheShardsPreviousCheckpointAndLeavesNoTemporaryFile() throws IOException {
    FileCheckpointStore store = new FileCheckpointStore(dir);
    store.save(cp("j", "s", "1", Checkpoint.State.IN_PROGRESS, 1));
    Checkpoint last = cp("j", "s", "2", Checkpoint.State.COMPLETED, 2);
    store.save(last);
    assertThat(new FileCheckpointStore(dir).load("j")).isEqualTo(Map.of("s", last));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("j.checkpoints.json");
    }
  }

  @Test
  void aStoreObjectReusedAcrossRunsResumesWhatAnotherProcessWroteAndKeepsIt() {
    FileCheckpointStore a = new FileCheckpointStore(dir);
    FileCheckpointStore b = new FileCheckpointStore(dir); // another process's store on the same directory
    a.save(cp("j", "s-0", "9", Checkpoint.State.COMPLETED, 9));
    a.save(cp("j", "s-1", "4", Checkpoint.State.IN_PROGRESS, 4));
    assertThat(b.load("j")).hasSize(2);
    Checkpoint done1 = cp("j", "s-1", "8", Checkpoint.State.COMPLETED, 8);
    Checkpoint done2 = cp("j", "s-2", "7", Checkpoint.State.COMPLETED, 7);
    b.saveAll(List.of(done1, done2));

    // The next run on the first object loads (as every run does, under its lease) and then saves.
    assertThat(a.load("j")).containsEntry("s-1", done1).containsEntry("s-2", done2).hasSize(3);
    Checkpoint s3 = cp("j", "s-3", "1", Checkpoint.State.IN_PROGRESS, 1);
    a.save(s3);
    assertThat(new FileCheckpointStore(dir).load("j")).containsEntry("s-1", done1).containsEntry("s-2", done2)
        .containsEntry("s-3", s3).hasSize(4);
  }

  @Test
  void deleteForgetsTheJobOnDiskToo() {
    FileCheckpointStore store = new FileCheckpointStore(dir);
    store.save(cp("j", "s", "1", Checkpoint.State.IN_PROGRESS, 1));
    store.delete("j");
    assertThat(store.load("j")).isEmpty();
    assertThat(new FileCheckpointStore(dir).load("j")).isEmpty();
    assertThat(Files.exists(store.fileOf("j"))).isFalse();
  }

  @Test
  void aCorruptFileIsReportedWithItsPath() throws IOException {
    Files.writeString(dir.resolve("j.checkpoints.json"), "{\"jobName\":\"j\",\"shards\":{\"s\":");
    assertThatThrownBy(() -> new FileCheckpointStore(dir).load("j"))
        .isInstanceOf(ReprocessException.class)
        .hasMessageContaining("j.checkpoints.json")
        .hasMessageContaining("not a valid checkpoint file");
  }

  @Test
  void concurrentSavesOfDifferentShardsAreAllKept() throws Exception {
    FileCheckpointStore store = new FileCheckpointStore(dir);
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int shard = t;
      Thread thread = new Thread(() -> {
        for (int i = 1; i <= 20; i++) {
          store.save(cp("j", "s" + shard, Integer.toString(i), Checkpoint.State.IN_PROGRESS, i));
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<String, Checkpoint> loaded = new FileCheckpointStore(dir).load("j");
    assertThat(loaded).hasSize(4);
    assertThat(loaded.values()).allSatisfy(c -> assertThat(c.cursor()).isEqualTo(Cursor.of("20")));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "job name {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {".", "..", "../escape", "a/b", ""})
  void aJobNameThatIsNotAPlainFileNameIsRefusedBeforeAnyIo(String jobName) {
    FileCheckpointStore store = new FileCheckpointStore(dir.resolve("store"));
    assertThatThrownBy(() -> store.load(jobName)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("jobName is '" + jobName + "'", "must match", "file name");
    assertThatThrownBy(() -> store.delete(jobName)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.save(cp(jobName, "s", "1", Checkpoint.State.IN_PROGRESS, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobName is '" + jobName + "'");
    assertThatThrownBy(() -> store.load(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jobName is null");
    assertThat(java.nio.file.Files.exists(dir.resolve("store"))).isFalse();
  }
}
