package dev.reprocess.cassandra.it;

import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import java.util.ArrayList;
import java.util.List;

/** Reads selectors to their end, as the engine would, for tests that check what they hand out. */
public final class Pages {
  private Pages() {}

  /** Every asset of one shard, from {@code from} ({@code null} for the start) to its last page. */
  public static List<AssetRef> readShard(AssetSelector selector, Shard shard, Cursor from, int pageSize) {
    List<AssetRef> out = new ArrayList<>();
    try (Paginator p = selector.open(shard, from, pageSize)) {
      Page page;
      do {
        page = p.nextPage();
        out.addAll(page.assets());
      } while (!page.last());
    }
    return out;
  }

  /** Every asset of every shard, shard by shard in the selector's order. */
  public static List<AssetRef> readAll(AssetSelector selector, int pageSize) {
    List<AssetRef> out = new ArrayList<>();
    for (Shard shard : selector.shards()) {
      out.addAll(readShard(selector, shard, null, pageSize));
    }
    return out;
  }
}
