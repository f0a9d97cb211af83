package dev.reprocess.cassandra;

/**
 * The order in which a time-bucket selection is visited: buckets, and the ids inside each
 * bucket. Either order works with either clustering order of the table; reading against the
 * clustering order costs Cassandra a little more (a reversed slice).
 */
public enum ReadOrder {
  /** Newest bucket first; inside a bucket, ids descending ({@code asset_id < last} between pages). */
  NEWEST_FIRST,
  /** Oldest bucket first; inside a bucket, ids ascending ({@code asset_id > last} between pages). */
  OLDEST_FIRST
}
