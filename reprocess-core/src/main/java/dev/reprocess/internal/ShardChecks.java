package dev.reprocess.internal;

import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks of a selector's shard list that hold whatever its shape, made before a checkpoint is
 * read or written, by a run and by a dry run alike. Stateless.
 */
final class ShardChecks {

  private ShardChecks() {}

  /**
   * Checks the total cap and the uniqueness of shard ids.
   *
   * @throws IllegalArgumentException naming {@code maxShards}, or the shard id that appears twice
   */
  static void check(JobSpec spec, List<Shard> shards) {
    checkShardCount(spec, shards);
    checkUniqueIds(spec, shards);
  }

  private static void checkShardCount(JobSpec spec, List<Shard> shards) {
    if (shards.size() > spec.maxShards()) {
      throw new IllegalArgumentException(spec.logPrefix() + "maxShards is " + spec.maxShards() + ": "
          + spec.selector().describe() + " lists " + shards.size() + " shards, and a job may have at most"
          + " maxShards (each shard costs queries and a checkpoint row); narrow the selection (a shorter window,"
          + " larger buckets, fewer asset types) or raise maxShards, up to " + ReprocessJob.MAX_MAX_SHARDS);
    }
  }

  private static void checkUniqueIds(JobSpec spec, List<Shard> shards) {
    Set<String> ids = new HashSet<>();
    for (Shard s : shards) {
      if (!ids.add(s.id())) {
        throw new IllegalArgumentException(spec.logPrefix() + "shard id '" + s.id() + "' appears twice in "
            + spec.selector().describe() + ": shard ids must be unique");
      }
    }
  }
}
