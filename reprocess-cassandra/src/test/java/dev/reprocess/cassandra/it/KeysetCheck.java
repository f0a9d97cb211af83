package dev.reprocess.cassandra.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads every shard of a selector page by page and checks it against the ground truth: the ids
 * each shard must hand out, in order. Then opens a new paginator from every page's cursor and
 * checks that the rest is exactly the ground truth's suffix (0 missing, 0 repeated).
 */
public final class KeysetCheck {
  private KeysetCheck() {}

  /**
   * @param truth per shard id, the ids in reading order (shards absent from the map must be empty)
   * @return the number of pages read in the first pass
   */
  public static int check(AssetSelector selector, Map<String, List<String>> truth, int pageSize) {
    return check(selector, truth, pageSize, true);
  }

  /**
   * The same; with {@code ordered} false, the first pass must hold exactly the ground truth's ids in
   * any order (for types whose server order the test does not model, e.g. random uuids), and the
   * resumed reads must be the first pass's suffixes.
   */
  public static int check(AssetSelector selector, Map<String, List<String>> truth, int pageSize, boolean ordered) {
    int pages = 0;
    List<Shard> shards = selector.shards();
    for (Shard shard : shards) {
      List<String> expected = truth.getOrDefault(shard.id(), List.of());
      List<String> ids = new ArrayList<>();
      List<Cursor> cursors = new ArrayList<>();
      List<Integer> consumed = new ArrayList<>();
      try (Paginator p = selector.open(shard, null, pageSize)) {
        Page page;
        do {
          page = p.nextPage();
          pages++;
          assertThat(page.assets().size()).as("page size of %s", shard.id()).isLessThanOrEqualTo(pageSize);
          page.assets().forEach(a -> ids.add(a.assetId()));
          if (page.cursor() != null) {
            cursors.add(page.cursor());
            consumed.add(ids.size());
          }
        } while (!page.last());
      }
      if (ordered) {
        assertThat(ids).as("shard %s", shard.id()).containsExactlyElementsOf(expected);
      } else {
        assertThat(ids).as("shard %s", shard.id()).containsExactlyInAnyOrderElementsOf(expected);
        expected = ids;
      }
      for (int i = 0; i < cursors.size(); i++) {
        List<String> rest = Pages.readShard(selector, shard, cursors.get(i), pageSize).stream()
            .map(AssetRef::assetId).toList();
        assertThat(rest).as("shard %s resumed from cursor %d (%s)", shard.id(), i, cursors.get(i))
            .containsExactlyElementsOf(expected.subList(consumed.get(i), expected.size()));
      }
    }
    assertThat(shards.stream().map(Shard::id).toList()).containsAll(truth.keySet());
    return pages;
  }
}
