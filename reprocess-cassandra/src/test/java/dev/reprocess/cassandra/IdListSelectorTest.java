package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.it.Pages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdListSelectorTest {
  @TempDir Path dir;

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Uuids.startOf(1_717_200_000_000L + i * 1000L).toString());
    }
    return ids;
  }

  @Test
  void anEmptyIdFileCompletesWithTheLoudZeroWarning() throws IOException {
    Path file = dir.resolve("empty.txt");
    Files.writeString(file, "# nothing listed yet\n\n", StandardCharsets.UTF_8);
    IdListSelector selector = IdListSelector.builder().idsFile(file).build();
    dev.reprocess.JobReport report = dev.reprocess.ReprocessJob.builder("empty-ids").selector(selector)
        .handler(e -> dev.reprocess.Outcome.SUCCEEDED).build().run();
    assertThat(report.status()).isEqualTo(dev.reprocess.JobStatus.COMPLETED);
    assertThat(report.shardsTotal()).isZero();
    assertThat(report.warnings()).singleElement().asString()
        .startsWith("0 assets selected by " + selector.describe() + " (it listed no shard)")
        .contains("for an id file, that it is not empty");
  }

  @Test
  void aCollectionIsChunkedAndReadInOrderWithCreationTimes() {
    List<String> ids = ids(25);
    IdListSelector selector = IdListSelector.builder().ids(ids).chunkSize(10).assetType("image/png").build();
    List<Shard> shards = selector.shards();
    assertThat(shards).extracting(Shard::id).containsExactly("ids#0", "ids#1", "ids#2");
    assertThat(selector.estimateCount(shards.get(2))).hasValue(5);
    assertThat(shards).extracting(s -> selector.count(s, 4)).containsExactly(10L, 10L, 5L);
    List<AssetRef> read = Pages.readAll(selector, 4);
    assertThat(read).extracting(AssetRef::assetId).containsExactlyElementsOf(ids);
    assertThat(read.get(3).createdAt()).isEqualTo(Instant.ofEpochMilli(1_717_200_003_000L));
    assertThat(read).allSatisfy(a -> assertThat(a.assetType()).isEqualTo("image/png"));
  }

  @Test
  void aFileSkipsBlankLinesAndCommentsAndResumesFromACursor() throws IOException {
    List<String> ids = ids(7);
    Path file = dir.resolve("ids.txt");
    String text = "# ids to fix\n\n" + ids.get(0) + "\r\n  " + ids.get(1) + "  \n# more\n" + String.join("\n", ids.subList(2, 7));
    Files.writeString(file, text, StandardCharsets.UTF_8);
    IdListSelector selector = IdListSelector.builder().idsFile(file).chunkSize(3).build();
    List<Shard> shards = selector.shards();
    assertThat(shards).hasSize(3);
    assertThat(Pages.readAll(selector, 2)).extracting(AssetRef::assetId).containsExactlyElementsOf(ids);

    // Resume the second chunk after its first page.
    Page first;
    try (Paginator p = selector.open(shards.get(1), null, 2)) {
      first = p.nextPage();
    }
    assertThat(first.assets()).extracting(AssetRef::assetId).containsExactly(ids.get(3), ids.get(4));
    try (Paginator p = selector.open(shards.get(1), first.cursor(), 2)) {
      Page rest = p.nextPage();
      assertThat(rest.assets()).extracting(AssetRef::assetId).containsExactly(ids.get(5));
      assertThat(rest.last()).isTrue();
    }
  }

  @Test
  void aCursorFromAChangedListIsRefused() {
    List<String> ids = ids(6);
    IdListSelector selector = IdListSelector.builder().ids(ids).chunkSize(6).build();
    Shard shard = selector.shards().get(0);
    Cursor stale = Cursor.of("2:" + UUID.randomUUID());
    assertThatThrownBy(() -> selector.open(shard, stale, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the id list changed since the cursor was written");
    assertThatThrownBy(() -> selector.open(shard, Cursor.of("7:x"), 2))
        .hasMessageContaining("with 1 to 6 ids");
    assertThatThrownBy(() -> selector.open(shard, null, 0)).hasMessage("pageSize is 0: it must be at least 1");
  }

  @Test
  void badIdsAreRefusedWithTheirPlace() throws IOException {
    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of(ids(1).get(0), "abc")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ids[1] is 'abc': it must be a timeuuid (or set timeuuidIds(false))");
    assertThat(IdListSelector.builder().ids(List.of("abc")).timeuuidIds(false).build().shards()).hasSize(1);
    Path file = dir.resolve("bad.txt");
    Files.writeString(file, ids(1).get(0) + "\n\nnot-an-id\n");
    assertThatThrownBy(() -> IdListSelector.builder().idsFile(file).build().shards())
        .hasMessage("idsFile is '" + file + "': line 3 is 'not-an-id', it must be a timeuuid (or set timeuuidIds(false))");
    assertThatThrownBy(() -> IdListSelector.builder().idsFile(dir.resolve("none.txt")).build().shards())
        .hasMessageEndingWith("none.txt': it does not exist");
    assertThatThrownBy(() -> IdListSelector.builder().build())
        .hasMessage("ids and idsFile are both unset: exactly one of them must be set");
    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of()).chunkSize(0).build())
        .hasMessage("chunkSize is 0: it must be at least 1");
  }

  @Test
  void aFiveMegabyteLineIsRefusedWithItsLineNumberAndAShortExcerptBeforeAnyEventThenAFixedFileRuns()
      throws IOException {
    Path file = dir.resolve("huge-line.txt");
    Files.writeString(file, "asset-1\n" + "x".repeat(5_000_000) + "\nasset-3\n");
    dev.reprocess.checkpoint.InMemoryCheckpointStore store = new dev.reprocess.checkpoint.InMemoryCheckpointStore();
    dev.reprocess.testing.RecordingHandler handler = new dev.reprocess.testing.RecordingHandler();
    dev.reprocess.ReprocessJob job = dev.reprocess.ReprocessJob.builder("huge-line")
        .selector(IdListSelector.builder().idsFile(file).timeuuidIds(false).chunkSize(1).build())
        .handler(handler).checkpointStore(store).build();

    dev.reprocess.JobReport report = job.run();

    assertThat(report.status()).isEqualTo(dev.reprocess.JobStatus.FAILED);
    Throwable error = report.failure().orElseThrow();
    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("idsFile is '" + file + "': line 2 is longer than 1024 characters (5000000 bytes): 'xxx")
        .hasMessageEndingWith(": an id is at most maxIdLength (1024) characters; set maxIdLength(...) for longer ids");
    assertThat(error.getMessage()).hasSizeLessThan(600);
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("huge-line")).isEmpty();

    Files.writeString(file, "asset-1\nasset-2\nasset-3\n");
    assertThat(job.run().succeeded()).isEqualTo(3);
  }

  @Test
  void maxIdLengthBoundsTheIdsOfACollectionAndOfAFile() throws IOException {
    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of("a".repeat(11))).timeuuidIds(false).maxIdLength(10).build())
        .hasMessage("ids[0] is 'aaaaaaaaaaa': it must be at most maxIdLength (10) characters");
    assertThat(IdListSelector.builder().ids(List.of("a".repeat(10))).timeuuidIds(false).maxIdLength(10).build().shards())
        .hasSize(1);
    Path file = dir.resolve("padded.txt");
    Files.writeString(file, "   " + "b".repeat(10) + "   \n");
    assertThat(IdListSelector.builder().idsFile(file).timeuuidIds(false).maxIdLength(10).build().shards()).hasSize(1);
    assertThatThrownBy(() -> IdListSelector.builder().ids(List.of("a")).maxIdLength(0).build())
        .hasMessage("maxIdLength is 0: it must be 1 to 65535");
  }

  @Test
  void anEmptyListHasNoShards() {
    assertThat(IdListSelector.builder().ids(List.of()).build().shards()).isEmpty();
  }
}
