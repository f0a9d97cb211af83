package dev.reprocess.kafka.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import java.util.List;
import java.util.OptionalLong;

/**
 * Some shards of the host's selector as a selector of their own: what a distributed host runs one
 * host job over (the shards of the records of its partitions). Everything but {@link #shards()}
 * goes to the host's selector; {@link #close()} does nothing (the host's selector outlives the host job). Its
 * selection definition is the host's selector's, read once by the host.
 */
public final class RecordSelector implements AssetSelector {
  private final AssetSelector selector;
  private final List<Shard> shards;
  private final String definition;

  /**
   * @param selector the host's selector, which listed the shards
   * @param shards the shards, in the order to run them
   * @param definition {@code selector}'s {@link AssetSelector#selectionDefinition()}, may be null
   */
  public RecordSelector(AssetSelector selector, List<Shard> shards, String definition) {
    this.selector = selector;
    this.shards = List.copyOf(shards);
    this.definition = definition;
  }

  @Override
  public List<Shard> shards() {
    return shards;
  }

  @Override
  public Paginator open(Shard s, Cursor from, int pageSize) {
    return selector.open(s, from, pageSize);
  }

  @Override
  public OptionalLong estimateCount(Shard s) {
    return selector.estimateCount(s);
  }

  @Override
  public void checkCursor(Shard s, Cursor cursor) {
    selector.checkCursor(s, cursor);
  }

  @Override
  public Cursor startCursor(Shard s) {
    return selector.startCursor(s);
  }

  @Override
  public long count(Shard s, int pageSize) {
    return selector.count(s, pageSize);
  }

  @Override
  public String describe() {
    return selector.describe() + (shards.size() == 1 ? " shard " + shards.get(0).id()
        : " shards " + ShardRecord.id(shards) + " (" + shards.size() + ")");
  }

  @Override
  public String selectionDefinition() {
    return definition;
  }

  /** Nothing: the host's selector is closed by the host's run. */
  @Override
  public void close() {}
}
