package dev.reprocess.cassandra;

/**
 * How a partition-per-shard selector ({@link TimeBucketSelector}, {@link TableSelector}) finds out
 * which of its candidate partitions hold rows, at {@code shards()}, before anything is written.
 * The candidates are every combination of the listed values and the window's buckets: a year of
 * hourly buckets over three asset types is 26,280 of them, and a sparse table fills few. Without
 * discovery each empty candidate is a shard that costs its first page query, the engine's per-shard
 * work and a checkpoint row.
 *
 * <p>Discovery only removes candidates that hold no row: it never renames a shard (a shard's id is
 * its partition values, with or without discovery) and never changes which assets are selected, so
 * it is not part of the selection's definition (a job may resume with another mode). A resumed run
 * lists the partitions that exist then: one created since the last run is a new shard, one whose
 * rows were all deleted is left out. A partition kept may still hold no row of the window (its rows
 * lie outside the window's edges); it is then an ordinary empty shard. A partition that gets its
 * first row after {@code shards()} is not read, as for any partition read before that row was
 * written (see the selectors' selection guarantee).
 *
 * <p>Which is faster depends on the table, measured in the module's README: {@link #PROBE} costs
 * one single-partition query per candidate, {@link #SCAN_DISTINCT} one read of every partition key
 * of the whole table, whatever the window.
 */
public enum PartitionDiscovery {
  /** Every candidate partition is a shard (the default). Best when most candidates hold rows. */
  NONE,
  /**
   * Each candidate is checked with {@code SELECT <partition key> FROM t WHERE <partition key> = ?
   * LIMIT 1}, at most 64 queries in flight, and only the candidates that hold a row become shards. Costs one cheap query per
   * candidate instead of an empty shard's work.
   */
  PROBE,
  /**
   * The table's partition keys are read once with {@code SELECT DISTINCT <partition key> FROM t
   * WHERE token(<partition key>) > ? AND token(<partition key>) <= ?} over the ring's token ranges
   * (several in flight), and only the candidates found become shards. Costs a read of every
   * partition key of the table, so it pays when the table holds few partitions besides the
   * window's; it needs the driver's token map (the default).
   */
  SCAN_DISTINCT
}
