/**
 * Cassandra selection for Reprocess: which assets a job visits, read from the host's own tables
 * through the host's {@link com.datastax.oss.driver.api.core.CqlSession} (never closed here).
 *
 * <ul>
 *   <li>{@link dev.reprocess.cassandra.TimeBucketSelector}: assets of some types created in a time
 *       window, from a table partitioned by {@code (asset type, time bucket)} and clustered by a
 *       timeuuid id, with keyset pages over the id; {@link dev.reprocess.cassandra.Bucketing},
 *       {@link dev.reprocess.cassandra.BucketType} and {@link dev.reprocess.cassandra.ReadOrder}
 *       describe the buckets and the order.
 *   <li>{@link dev.reprocess.cassandra.TokenRangeSelector}: every row of a table, by token range.
 *   <li>{@link dev.reprocess.cassandra.IdListSelector}: an explicit list of ids.
 *   <li>{@link dev.reprocess.cassandra.AssetLoader}: an asset's full row, for handlers.
 *   <li>{@link dev.reprocess.cassandra.CassandraCheckpointStore}: checkpoints in a table.
 *   <li>{@link dev.reprocess.cassandra.CassandraSchema}: the reference tables of the examples.
 * </ul>
 *
 * <p>Builders are mutable and check their options in {@code build()} without I/O; selectors check
 * them against the schema in {@code shards()}, before the engine reads or writes anything. What
 * they build is immutable and thread-safe. Errors: {@link IllegalArgumentException} for bad
 * input, {@link dev.reprocess.RetriableException} for transient driver failures, {@link
 * dev.reprocess.ReprocessException} for the others.
 */
package dev.reprocess.cassandra;
