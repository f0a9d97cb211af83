package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.cassandra.internal.DriverErrors;
import dev.reprocess.cassandra.internal.Identifiers;
import java.util.List;
import java.util.Objects;

/**
 * Creates the reference schema that the examples and the tests use: a keyspace with the selection
 * table {@value #ASSETS_BY_TYPE_BUCKET} (the layout {@link TimeBucketSelector} reads by default)
 * and the payload table {@value #ASSETS} (one row per asset, for handlers and the {@link
 * AssetLoader}):
 *
 * <pre>{@code
 * CREATE TABLE assets_by_type_bucket (
 *   asset_type text, bucket <type>, asset_id timeuuid,
 *   PRIMARY KEY ((asset_type, bucket), asset_id)
 * ) WITH CLUSTERING ORDER BY (asset_id DESC);
 *
 * CREATE TABLE assets (
 *   asset_id timeuuid PRIMARY KEY, asset_type text, bucket <type>,
 *   created_at timestamp, metadata map<text, text>);
 * }</pre>
 *
 * <p>Every statement uses {@code IF NOT EXISTS}, so creating twice is harmless. Hosts with their
 * own schema do not need this class. Stateless.
 */
public final class CassandraSchema {
  /** The selection table's name. */
  public static final String ASSETS_BY_TYPE_BUCKET = "assets_by_type_bucket";
  /** The payload table's name. */
  public static final String ASSETS = "assets";

  private CassandraSchema() {}

  /**
   * Creates the keyspace (SimpleStrategy), {@value #ASSETS_BY_TYPE_BUCKET} and {@value #ASSETS},
   * each unless it exists, and waits for schema agreement (the driver's {@code execute} does).
   *
   * @param keyspace a CQL identifier
   * @param replicationFactor at least 1
   * @param bucketType the type of the bucket columns
   * @throws IllegalArgumentException if an argument is invalid
   * @throws dev.reprocess.ReprocessException if a statement fails
   */
  public static void createReferenceSchema(CqlSession session, String keyspace, int replicationFactor, BucketType bucketType) {
    Objects.requireNonNull(session, "session");
    for (String cql : referenceSchemaCql(keyspace, replicationFactor, bucketType)) {
      try {
        session.execute(SimpleStatement.newInstance(cql));
      } catch (RuntimeException e) {
        throw DriverErrors.translate("creating the reference schema in " + keyspace + " failed on '" + cql + "'", e);
      }
    }
  }

  /**
   * The statements {@link #createReferenceSchema} runs, in order: the keyspace, {@value
   * #ASSETS_BY_TYPE_BUCKET}, {@value #ASSETS}.
   *
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static List<String> referenceSchemaCql(String keyspace, int replicationFactor, BucketType bucketType) {
    CqlIdentifier ks = Identifiers.parse("keyspace", keyspace);
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replicationFactor is " + replicationFactor + ": it must be at least 1");
    }
    if (bucketType == null) {
      throw new IllegalArgumentException("bucketType is null: it must be one of " + List.of(BucketType.values()));
    }
    String k = ks.asCql(true);
    String bucket = bucketType.cql();
    return List.of(
        "CREATE KEYSPACE IF NOT EXISTS " + k
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}",
        "CREATE TABLE IF NOT EXISTS " + k + "." + ASSETS_BY_TYPE_BUCKET + " (asset_type text, bucket " + bucket
            + ", asset_id timeuuid, PRIMARY KEY ((asset_type, bucket), asset_id))"
            + " WITH CLUSTERING ORDER BY (asset_id DESC)",
        "CREATE TABLE IF NOT EXISTS " + k + "." + ASSETS + " (asset_id timeuuid PRIMARY KEY, asset_type text, bucket "
            + bucket + ", created_at timestamp, metadata map<text, text>)");
  }
}
