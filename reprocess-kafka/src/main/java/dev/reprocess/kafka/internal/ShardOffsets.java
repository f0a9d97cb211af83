package dev.reprocess.kafka.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The shard records of the assigned partitions that were read and whose shard is not complete yet,
 * and the offsets that may be committed: per partition, the lowest offset still pending, or the
 * consumer's position when none is (the position also passes the markers of the transaction that
 * published the records). So a committed offset never passes a shard that is not complete,
 * whatever order the shards complete in.
 *
 * <p>Not thread-safe: the host's poll thread only.
 */
final class ShardOffsets {
  private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** A shard record was read. */
  void read(TopicPartition partition, long offset) {
    pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
  }

  /** The shard of a record read earlier is complete. No effect for a partition forgotten since. */
  void done(TopicPartition partition, long offset) {
    TreeSet<Long> offsets = pending.get(partition);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /** Records read whose shard is not complete yet, over every partition. */
  int pendingCount() {
    return pending.values().stream().mapToInt(TreeSet::size).sum();
  }

  /**
   * The offsets to commit: the partitions whose commit position moved since the last commit.
   *
   * @param positions the consumer's position on each assigned partition
   */
  Map<TopicPartition, OffsetAndMetadata> toCommit(Map<TopicPartition, Long> positions) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    positions.forEach((partition, next) -> {
      TreeSet<Long> offsets = pending.get(partition);
      long position = offsets == null || offsets.isEmpty() ? next : Math.min(next, offsets.first());
      Long last = committed.get(partition);
      if (last == null || position > last) {
        out.put(partition, new OffsetAndMetadata(position));
      }
    });
    return out;
  }

  /** {@link #toCommit()}'s offsets were committed. */
  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((partition, offset) -> committed.merge(partition, offset.offset(), Math::max));
  }

  /** Drops what is known of partitions no longer assigned. */
  void forget(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      pending.remove(partition);
      committed.remove(partition);
    }
  }
}
