package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorTest {

  @TempDir Path dir;

  static final List<String> FORMATS = List.of(
      "42",                                                   // in-memory index
      "5b6962dd-3f90-11ef-8000-000000000001",                 // last timeuuid
      "AAEAAABkAAAAfwAAAA==",                                 // driver paging state (base64)
      "[\"0f3c\",1717200000000]",                             // search_after values
      "ünïcödé ✓ \"quotes\" \\ back\nslash");

  @Test
  void serializedFormRoundTrips() {
    for (String value : FORMATS) {
      Cursor c = Cursor.of(value);
      assertThat(Cursor.of(c.value())).isEqualTo(c).hasSameHashCodeAs(c);
      assertThat(c.value()).isEqualTo(value);
    }
    assertThatThrownBy(() -> Cursor.of("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cursor value is '': it must be a non-empty string");
  }

  @Test
  void everyFormatSurvivesBothCheckpointStores() {
    CheckpointStore file = new FileCheckpointStore(dir);
    CheckpointStore memory = new InMemoryCheckpointStore();
    for (int i = 0; i < FORMATS.size(); i++) {
      Checkpoint cp = new Checkpoint("job", "shard-" + i, Cursor.of(FORMATS.get(i)),
          Checkpoint.State.IN_PROGRESS, 1, 1, 0, 0, Instant.EPOCH);
      file.save(cp);
      memory.save(cp);
    }
    for (CheckpointStore store : List.of(new FileCheckpointStore(dir), memory)) {
      for (int i = 0; i < FORMATS.size(); i++) {
        assertThat(store.load("job").get("shard-" + i).cursor()).isEqualTo(Cursor.of(FORMATS.get(i)));
      }
    }
  }

  @Test
  void inMemorySelectorResumesRightAfterAPagesCursor() {
    List<String> ids = IntStream.range(0, 23).mapToObj(i -> "a-" + i).collect(Collectors.toList());
    InMemorySelector selector = InMemorySelector.ofIds(ids, 2);
    Shard shard = selector.shards().get(1);
    Paginator first = selector.open(shard, null, 4);
    Page p1 = first.nextPage();
    assertThat(p1.assets()).extracting(AssetRef::assetId).containsExactly("a-11", "a-12", "a-13", "a-14");

    Cursor stored = Cursor.of(p1.cursor().value());
    List<String> rest = new ArrayList<>();
    Paginator resumed = selector.open(shard, stored, 4);
    Page p;
    do {
      p = resumed.nextPage();
      p.assets().forEach(a -> rest.add(a.assetId()));
    } while (!p.last());
    assertThat(rest).isEqualTo(ids.subList(15, 23));
    assertThatThrownBy(() -> selector.open(shard, Cursor.of("3"), 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor is '3'");
    assertThatThrownBy(() -> selector.open(shard, Cursor.of("x"), 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor is 'x'");
  }
}
