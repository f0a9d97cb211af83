package dev.reprocess.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.CassandraSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The asset catalog in Cassandra, in the reference layout of {@link CassandraSchema}: the
 * selection table {@code assets_by_type_bucket} ({@code (asset_type, bucket)} partitions of
 * timeuuid ids) and the payload table {@code assets} (one row per asset, metadata in a {@code
 * map<text, text>}), plus the job checkpoints ({@link CassandraCheckpointStore}'s table) and a
 * small {@code ingests} table that remembers which directories were ingested completely.
 *
 * <p>Buckets are UTC days of the modification time, as text ({@code 2024-06-01}). A file tree such
 * as {@code /usr/share} spans decades with most days empty, so the commands read only the
 * partitions that exist ({@link #partitions()}, filtered by {@link ExistingPartitions}) instead of
 * every day of the window.
 *
 * <p>Statements are prepared once. Thread-safe; the session is the caller's.
 */
final class Catalog {
  static final String DEFAULT_KEYSPACE = "asset_catalog";
  static final Bucketing BUCKETING = Bucketing.daily();
  static final BucketType BUCKET_TYPE = BucketType.TEXT;
  static final String INGESTS = "ingests";

  /** Metadata keys of the {@code assets.metadata} map. */
  static final String PATH = "path";
  static final String SIZE = "size";
  static final String MEDIA_TYPE = "mediaType";
  static final String MODIFIED_AT = "modifiedAt";
  static final String SHA256 = "sha256";

  private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");

  private final CqlSession session;
  private final String keyspace;
  private final PreparedStatement insertSelection;
  private final PreparedStatement upsertAsset;
  private final PreparedStatement setSha256;
  private final PreparedStatement deleteSelection;
  private final PreparedStatement deleteAsset;

  private Catalog(CqlSession session, String keyspace) {
    this.session = session;
    this.keyspace = keyspace;
    String ks = keyspace + ".";
    insertSelection = session.prepare("INSERT INTO " + ks + CassandraSchema.ASSETS_BY_TYPE_BUCKET
        + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    // An update that adds to the map, so a second ingest keeps what jobs wrote (sha256).
    upsertAsset = session.prepare("UPDATE " + ks + CassandraSchema.ASSETS
        + " SET asset_type = ?, bucket = ?, created_at = ?, metadata = metadata + ? WHERE asset_id = ?");
    setSha256 = session.prepare("UPDATE " + ks + CassandraSchema.ASSETS
        + " SET metadata['" + SHA256 + "'] = ? WHERE asset_id = ?");
    deleteSelection = session.prepare("DELETE FROM " + ks + CassandraSchema.ASSETS_BY_TYPE_BUCKET
        + " WHERE asset_type = ? AND bucket = ? AND asset_id = ?");
    deleteAsset = session.prepare("DELETE FROM " + ks + CassandraSchema.ASSETS + " WHERE asset_id = ?");
  }

  /**
   * Creates the keyspace and tables unless they exist, and prepares the statements.
   *
   * @throws IllegalArgumentException if {@code keyspace} is not a lower-case CQL identifier
   */
  static Catalog open(CqlSession session, String keyspace) {
    requireKeyspace(keyspace);
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BUCKET_TYPE);
    session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + keyspace + "." + INGESTS
        + " (root text PRIMARY KEY, files bigint, finished_at timestamp)"));
    // Creates the checkpoint table, or adds the columns a newer version needs to one made before.
    CassandraCheckpointStore.builder(session).keyspace(keyspace).createTable(true).build();
    return new Catalog(session, keyspace);
  }

  static String requireKeyspace(String keyspace) {
    if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
      throw new IllegalArgumentException("keyspace is '" + keyspace
          + "': it must be a lower-case CQL identifier (letters, digits, underscores, starting with a letter)");
    }
    return keyspace;
  }

  CqlSession session() {
    return session;
  }

  String keyspace() {
    return keyspace;
  }

  String selectionTable() {
    return keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
  }

  String assetsTable() {
    return keyspace + "." + CassandraSchema.ASSETS;
  }

  /** The checkpoint store of the catalog's jobs (table created by {@link #open}). */
  CassandraCheckpointStore checkpointStore() {
    return CassandraCheckpointStore.builder(session).keyspace(keyspace).build();
  }

  /** The bucket of an asset modified at {@code modifiedAt}: its UTC day, e.g. {@code 2024-06-01}. */
  static String bucketOf(Instant modifiedAt) {
    return (String) BUCKETING.valueFor(modifiedAt, BUCKET_TYPE);
  }

  /** Writes both rows of an asset, concurrently; the stage completes when both are written. */
  CompletionStage<Void> insertAsync(FileAsset a) {
    CompletionStage<AsyncResultSet> selection = session.executeAsync(
        insertSelection.bind(a.mediaType(), a.bucket(), a.id()).setIdempotent(true));
    CompletionStage<AsyncResultSet> payload = session.executeAsync(
        upsertAsset.bind(a.mediaType(), a.bucket(), a.modifiedAt(), a.metadata(), a.id()).setIdempotent(true));
    return selection.thenCombine(payload, (x, y) -> null);
  }

  void setSha256(UUID id, String sha256) {
    session.execute(setSha256.bind(sha256, id).setIdempotent(true));
  }

  /** Deletes both rows of an asset in one logged batch, so neither stays behind alone. */
  void delete(UUID id, String assetType, String bucket) {
    session.execute(BatchStatement.newInstance(BatchType.LOGGED,
        deleteSelection.bind(assetType, bucket, id), deleteAsset.bind(id)).setIdempotent(true));
  }

  /** One {@code (asset_type, bucket)} partition of the selection table. */
  record Partition(String assetType, String bucket) {}

  /**
   * Every partition of the selection table ({@code SELECT DISTINCT} on the partition key: one
   * read per partition, not per row).
   */
  List<Partition> partitions() {
    List<Partition> result = new ArrayList<>();
    for (Row row : session.execute(SimpleStatement.newInstance(
        "SELECT DISTINCT asset_type, bucket FROM " + selectionTable()).setPageSize(5000))) {
      result.add(new Partition(row.getString(0), row.getString(1)));
    }
    return result;
  }

  /** The asset types present whose name matches {@code filter}, sorted. */
  List<String> assetTypes(Predicate<String> filter) {
    return partitions().stream().map(Partition::assetType).filter(filter).distinct().sorted().toList();
  }

  /** The number of assets in a partition ({@code count(*)} of one partition). */
  long count(Partition p) {
    Row row = session.execute(SimpleStatement.newInstance("SELECT count(*) FROM " + selectionTable()
        + " WHERE asset_type = ? AND bucket = ?", p.assetType(), p.bucket())).one();
    return row == null ? 0 : row.getLong(0);
  }

  /** The payload row of an asset, as {@code (asset_type, bucket, metadata)}, or empty if it is gone. */
  Optional<Asset> load(UUID id) {
    Row row = session.execute(SimpleStatement.newInstance("SELECT asset_type, bucket, metadata FROM "
        + assetsTable() + " WHERE asset_id = ?", id)).one();
    return Optional.ofNullable(row).map(r -> new Asset(id, r.getString(0), r.getString(1),
        r.getMap(2, String.class, String.class)));
  }

  /** An asset as the payload table holds it. */
  record Asset(UUID id, String assetType, String bucket, Map<String, String> metadata) {}

  /** Remembers that {@code root} was ingested completely. */
  void recordIngest(String root, long files, Instant finishedAt) {
    session.execute(SimpleStatement.newInstance("INSERT INTO " + keyspace + "." + INGESTS
        + " (root, files, finished_at) VALUES (?, ?, ?)", root, files, finishedAt));
  }

  /** The last complete ingest of {@code root}: (files, finished at), if any. */
  Optional<Map.Entry<Long, Instant>> lastIngest(String root) {
    Row row = session.execute(SimpleStatement.newInstance("SELECT files, finished_at FROM " + keyspace + "."
        + INGESTS + " WHERE root = ?", root)).one();
    return Optional.ofNullable(row).map(r -> Map.entry(r.getLong(0), r.getInstant(1)));
  }

  /** A file ready to be stored. */
  record FileAsset(UUID id, String path, long sizeBytes, String mediaType, Instant modifiedAt) {
    String bucket() {
      return bucketOf(modifiedAt);
    }

    Map<String, String> metadata() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put(PATH, path);
      m.put(SIZE, Long.toString(sizeBytes));
      m.put(MEDIA_TYPE, mediaType);
      m.put(MODIFIED_AT, modifiedAt.toString());
      return m;
    }
  }
}
