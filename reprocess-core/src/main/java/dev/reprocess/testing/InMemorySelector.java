package dev.reprocess.testing;

import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.SelectionDefinition;
import dev.reprocess.Shard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A selector over assets held in memory, for tests and demos, in the spirit of Kafka's {@code
 * MockProducer}. The assets are cut into {@code shards} contiguous chunks of nearly equal size,
 * with shard ids {@code mem-0}, {@code mem-1}, ...; a shard's cursor is the index (in the whole
 * list) of the next asset to read, as a decimal string, so a run resumed from a checkpoint starts
 * right after the last page checkpointed. {@link #estimateCount} gives each shard's exact size.
 *
 * <p>Thread-safe and reusable: {@link #close()} does nothing and the selector can serve any number
 * of runs. Holds the list it was given (or nothing, for {@link #generated}).
 */
public final class InMemorySelector implements AssetSelector {

  private final int size;
  private final IntFunction<AssetRef> assetAt;
  private final int shardCount;
  private final AtomicLong pagesRead = new AtomicLong();
  private final AtomicLong opens = new AtomicLong();

  private InMemorySelector(int size, IntFunction<AssetRef> assetAt, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards is " + shards + ": it must be at least 1");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size is " + size + ": it must be zero or positive");
    }
    this.size = size;
    this.assetAt = assetAt;
    this.shardCount = shards;
  }

  /**
   * A selector over asset ids, with a {@code null} asset type.
   *
   * @param ids the ids, in visiting order; not null, no blank id
   * @param shards the number of shards, at least 1 (shards may be empty if there are fewer ids)
   */
  public static InMemorySelector ofIds(List<String> ids, int shards) {
    return ofIds(null, ids, shards);
  }

  /**
   * A selector over asset ids of one type.
   *
   * @param assetType the type of every asset, may be null
   * @param ids the ids, in visiting order; not null, no null or blank id
   * @param shards the number of shards, at least 1
   * @throws IllegalArgumentException if {@code ids} is null or holds a null or blank id (naming its
   *     index), or {@code shards} is below 1
   */
  public static InMemorySelector ofIds(String assetType, List<String> ids, int shards) {
    if (ids == null) {
      throw new IllegalArgumentException("ids is null: pass a list of asset ids (List.of() for none)");
    }
    List<AssetRef> assets = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("ids[" + i + "] is " + (id == null ? "null" : "'" + id + "'")
            + ": every asset id must be a non-blank string");
      }
      assets.add(AssetRef.of(id, assetType));
    }
    return of(assets, shards);
  }

  /**
   * A selector over assets.
   *
   * @throws IllegalArgumentException if {@code assets} is null or holds a null (naming its index),
   *     or {@code shards} is below 1
   */
  public static InMemorySelector of(List<AssetRef> assets, int shards) {
    if (assets == null) {
      throw new IllegalArgumentException("assets is null: pass a list of assets (List.of() for none)");
    }
    for (int i = 0; i < assets.size(); i++) {
      if (assets.get(i) == null) {
        throw new IllegalArgumentException("assets[" + i + "] is null: every asset must be non-null");
      }
    }
    List<AssetRef> copy = List.copyOf(assets);
    return new InMemorySelector(copy.size(), copy::get, shards);
  }

  /**
   * A selector over {@code count} assets made on the fly by {@code assetAt(index)}, holding
   * nothing: for load tests and benchmarks with millions of assets. {@code assetAt} must return the
   * same asset for the same index every time.
   */
  public static InMemorySelector generated(int count, IntFunction<AssetRef> assetAt, int shards) {
    if (assetAt == null) {
      throw new IllegalArgumentException("assetAt is null: pass a function from index to asset");
    }
    return new InMemorySelector(count, assetAt, shards);
  }

  /** The number of assets in the selection. */
  public int size() {
    return size;
  }

  /** Pages read so far, over every run. */
  public long pagesRead() {
    return pagesRead.get();
  }

  /** Paginators opened so far, over every run. */
  public long opens() {
    return opens.get();
  }

  @Override
  public List<Shard> shards() {
    List<Shard> shards = new ArrayList<>(shardCount);
    for (int s = 0; s < shardCount; s++) {
      shards.add(new Shard("mem-" + s, null,
          Map.of("from", Integer.toString(from(s)), "to", Integer.toString(from(s + 1)))));
    }
    return shards;
  }

  private int from(int shard) {
    return (int) ((long) size * shard / shardCount);
  }

  @Override
  public OptionalLong estimateCount(Shard shard) {
    return OptionalLong.of(Integer.parseInt(shard.property("to")) - Integer.parseInt(shard.property("from")));
  }

  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    int end = Integer.parseInt(shard.property("to"));
    int position = from == null ? Integer.parseInt(shard.property("from")) : position(shard, from);
    opens.incrementAndGet();
    int first = position;
    return new Paginator() {
      private int next = first;

      @Override
      public Page nextPage() {
        int to = Math.min(end, next + pageSize);
        List<AssetRef> assets = new ArrayList<>(to - next);
        for (int i = next; i < to; i++) {
          assets.add(assetAt.apply(i));
        }
        next = to;
        pagesRead.incrementAndGet();
        return new Page(assets, Cursor.of(Integer.toString(to)), to >= end);
      }
    };
  }

  /** Checks the cursor as {@link #open} does, without counting an open. */
  @Override
  public void checkCursor(Shard shard, Cursor cursor) {
    position(shard, cursor);
  }

  private static int position(Shard shard, Cursor from) {
    int start = Integer.parseInt(shard.property("from"));
    int end = Integer.parseInt(shard.property("to"));
    int position;
    try {
      position = Integer.parseInt(from.value());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cursor is '" + from.value()
          + "': an in-memory cursor must be an index between " + start + " and " + end, e);
    }
    if (position < start || position > end) {
      throw new IllegalArgumentException("cursor is '" + from.value()
          + "': an in-memory cursor must be an index between " + start + " and " + end);
    }
    return position;
  }

  /**
   * {@code kind=in-memory}, {@code size} and {@code shards}: a selector of another size or shard
   * count is a changed selection; the assets themselves are not part of it.
   */
  @Override
  public String selectionDefinition() {
    return SelectionDefinition.of(Map.of("kind", "in-memory", "size", size, "shards", shardCount));
  }

  @Override
  public String describe() {
    return "in memory (" + size + " assets, " + shardCount + " shards)";
  }
}
