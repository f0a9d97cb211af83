package dev.reprocess;

import java.util.List;

/**
 * One page of a shard, as a {@link Paginator} returns it.
 *
 * @param assets the assets of this page, in the shard's order; copied, never null, may be empty
 *     (Cassandra paging can end with one empty page)
 * @param cursor the position just after the last asset of this page: reading again from it
 *     yields the next page. {@code null} only when the page is empty and nothing was read yet
 * @param last {@code true} when no page follows in this shard
 */
public record Page(List<AssetRef> assets, Cursor cursor, boolean last) {

  public Page {
    assets = assets == null ? List.of() : List.copyOf(assets);
  }

  /** The number of assets on this page. */
  public int size() {
    return assets.size();
  }
}
