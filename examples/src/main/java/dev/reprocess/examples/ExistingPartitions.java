package dev.reprocess.examples;

import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A time-bucket selection restricted to the {@code (asset type, bucket)} partitions that exist:
 * {@link TimeBucketSelector} makes a shard of every bucket of the window, and over a file tree whose
 * modification days span decades almost all of them are empty. Reading an empty shard costs a
 * query and a checkpoint; this decorator drops those shards up front, using the partition list
 * {@code SELECT DISTINCT} gave ({@link Catalog#partitions()}). The remaining shards, their ids,
 * pages and cursors are the delegate's, so checkpoints stay compatible. Immutable and
 * thread-safe; closing closes the delegate.
 */
final class ExistingPartitions implements AssetSelector {
  private final TimeBucketSelector delegate;
  private final Set<Catalog.Partition> existing;

  ExistingPartitions(TimeBucketSelector delegate, List<Catalog.Partition> existing) {
    this.delegate = delegate;
    this.existing = Set.copyOf(existing);
  }

  @Override
  public List<Shard> shards() {
    return delegate.shards().stream()
        .filter(s -> existing.contains(new Catalog.Partition(s.property(TimeBucketSelector.PROPERTY_ASSET_TYPE),
            s.property(TimeBucketSelector.PROPERTY_BUCKET))))
        .collect(Collectors.toList());
  }

  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    return delegate.open(shard, from, pageSize);
  }

  @Override
  public OptionalLong estimateCount(Shard shard) {
    return delegate.estimateCount(shard);
  }

  /**
   * The delegate's: skipping partitions that hold nothing does not change what is selected, so a
   * run resumes the checkpoints of an earlier one under the same window and types.
   */
  @Override
  public String selectionDefinition() {
    return delegate.selectionDefinition();
  }

  @Override
  public String describe() {
    return delegate.describe() + ", only the " + existing.size() + " partitions that exist";
  }

  @Override
  public void close() {
    delegate.close();
  }
}
