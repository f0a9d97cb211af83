package dev.reprocess.cassandra.internal;

import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pages through one chunk of an id list. The cursor is {@code <ids handed out>:<last id>} (the
 * last line as listed, a composite key's whole line); the
 * last id is checked on resume, so a cursor given with a list that changed is refused rather than
 * skipping the wrong ids.
 */
public final class IdListPaginator implements Paginator {

  /** Where the chunk's ids come from. */
  public interface Source extends AutoCloseable {
    /** The next id of the chunk; called at most as many times as the chunk has ids. */
    String next() throws IOException;

    @Override
    default void close() throws IOException {}
  }

  private final Source source;
  private final String shardId;
  private final Function<String, AssetRef> toAsset;
  private final int count;
  private final int pageSize;
  private int handedOut;
  private String lastId;

  /**
   * @param toAsset the asset a line of the list names
   * @param resume a cursor of this chunk, or {@code null}
   * @throws IllegalArgumentException if the cursor is malformed or does not match the chunk
   */
  public IdListPaginator(
      Source source, String shardId, Function<String, AssetRef> toAsset, int count, Cursor resume, int pageSize) {
    this.source = source;
    this.shardId = shardId;
    this.toAsset = toAsset;
    this.count = count;
    this.pageSize = pageSize;
    if (resume != null) {
      skipTo(resume.value());
    }
  }

  private void skipTo(String cursor) {
    int colon = cursor.indexOf(':');
    int n;
    try {
      n = colon < 0 ? -1 : Integer.parseInt(cursor.substring(0, colon));
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > count) {
      throw new IllegalArgumentException(
          "cursor is '" + cursor + "' for shard " + shardId + ": it must be '<ids handed out>:<last id>' with 1 to "
              + count + " ids, as an id-list selector writes it");
    }
    String expected = cursor.substring(colon + 1);
    String id = null;
    for (int i = 0; i < n; i++) {
      id = nextId();
    }
    if (!expected.equals(id)) {
      throw new IllegalArgumentException(
          "cursor is '" + cursor + "' for shard " + shardId + ": id " + n + " of the chunk is now '" + id
              + "', so the id list changed since the cursor was written");
    }
    handedOut = n;
    lastId = id;
  }

  @Override
  public Page nextPage() {
    int n = Math.min(pageSize, count - handedOut);
    List<AssetRef> assets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = nextId();
      assets.add(toAsset.apply(id));
      lastId = id;
    }
    handedOut += n;
    return new Page(assets, lastId == null ? null : Cursor.of(handedOut + ":" + lastId), handedOut == count);
  }

  private String nextId() {
    try {
      String id = source.next();
      if (id == null) {
        throw new ReprocessException("shard " + shardId + ": the id list ended early, it changed since it was split");
      }
      return id;
    } catch (IOException e) {
      throw new ReprocessException("shard " + shardId + ": reading the id list failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException e) {
      throw new ReprocessException("shard " + shardId + ": closing the id list failed: " + e.getMessage(), e);
    }
  }
}
