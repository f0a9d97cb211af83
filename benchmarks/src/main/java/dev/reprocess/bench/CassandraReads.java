package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetRef;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ways of reading a table's ids that the Cassandra cases compare. Each returns the number of
 * ids read and folds every id into a checksum, so the JIT cannot drop the reads.
 */
final class CassandraReads {
  /** The smallest and largest timeuuids in Cassandra's order: the selector's bounds inside the window. */
  static final UUID MIN_TIMEUUID = new UUID(0x0000_0000_0000_1000L, 0x8080_8080_8080_8080L);
  static final UUID MAX_TIMEUUID = new UUID(0xFFFF_FFFF_FFFF_1FFFL, 0x7F7F_7F7F_7F7F_7F7FL);

  private final CqlSession session;
  private final CassandraData.Table table;
  private final int pageSize;
  private final PreparedStatement first;
  private final PreparedStatement next;
  private final PreparedStatement partition;
  private final PreparedStatement bounded;
  /** Folds in every id read, from any thread, so the JIT cannot drop the reads. */
  private final LongAdder checksum = new LongAdder();

  CassandraReads(CqlSession session, CassandraData.Table table, int pageSize) {
    this.session = session;
    this.table = table;
    this.pageSize = pageSize;
    this.first = session.prepare("SELECT asset_id FROM " + table.qualified() + " WHERE asset_type = ? AND bucket = ? LIMIT ?");
    this.next = session.prepare("SELECT asset_id FROM " + table.qualified()
        + " WHERE asset_type = ? AND bucket = ? AND asset_id < ? LIMIT ?");
    this.bounded = session.prepare("SELECT asset_id FROM " + table.qualified()
        + " WHERE asset_type = ? AND bucket = ? AND asset_id >= ? AND asset_id < ? LIMIT ?");
    this.partition = session.prepare("SELECT asset_id FROM " + table.qualified() + " WHERE asset_type = ? AND bucket = ?");
  }

  TimeBucketSelector selector() {
    return TimeBucketSelector.builder(session).table(table.qualified()).assetTypes(CassandraData.TYPES)
        .window(CassandraData.FROM, CassandraData.TO).build();
  }

  /**
   * What a host writes by hand over the same partitions: one statement per page, {@code LIMIT
   * pageSize}, {@code asset_id < last} after the first, the next page asked for when this one is
   * used up.
   */
  long plainKeyset(CassandraData.Cell cell) {
    return plainKeyset(cell, id -> { });
  }

  /** {@link #plainKeyset(CassandraData.Cell)}, each id handed to {@code onId} as it is read. */
  long plainKeyset(CassandraData.Cell cell, Consumer<UUID> onId) {
    return keyset(last -> keysetPage(cell, last), onId);
  }

  /** The keyset loop's statement for the page after {@code last} (null: the first page). */
  private BoundStatement keysetPage(CassandraData.Cell cell, UUID last) {
    return last == null ? first.bind(cell.type(), cell.bucket(), pageSize)
        : next.bind(cell.type(), cell.bucket(), last, pageSize);
  }

  /**
   * {@link #plainKeyset(CassandraData.Cell)} with the time-bucket selector's id bounds: {@code
   * asset_id >= minTimeuuid AND asset_id < maxTimeuuid} on the first page (the extreme timeuuids,
   * which select every row), {@code asset_id >= minTimeuuid AND asset_id < last} after it: the
   * server's cost of the bounds alone.
   */
  long plainKeysetBounded(CassandraData.Cell cell) {
    return keyset(last -> bounded.bind(cell.type(), cell.bucket(), MIN_TIMEUUID, last == null ? MAX_TIMEUUID : last,
        pageSize), id -> { });
  }

  /**
   * The keyset loop: one statement per page ({@code page} of the last id read, null for the first),
   * the next asked for when this one is used up, until a page comes back short.
   */
  private long keyset(Function<UUID, BoundStatement> page, Consumer<UUID> onId) {
    long count = 0;
    long sum = 0;
    UUID last = null;
    while (true) {
      ResultSet rs = session.execute(page.apply(last).setPageSize(pageSize));
      int inPage = 0;
      for (Row row : rs) {
        last = row.getUuid(0);
        sum += last.getLeastSignificantBits();
        onId.accept(last);
        inPage++;
      }
      count += inPage;
      if (inPage < pageSize) {
        checksum.add(sum);
        return count;
      }
    }
  }

  /**
   * {@link #plainKeyset(CassandraData.Cell)} handing out per row what the selector must (the
   * paginator SPI's {@link AssetRef}: the id as a string, the type, the id's creation time), a
   * list of them per page: the keyset loop with the selector's per-row output.
   */
  long plainKeysetRefs(CassandraData.Cell cell) {
    long count = 0;
    long sum = 0;
    UUID last = null;
    while (true) {
      ResultSet rs = session.execute(keysetPage(cell, last).setPageSize(pageSize));
      List<AssetRef> page = new ArrayList<>(rs.getAvailableWithoutFetching());
      for (Row row : rs) {
        last = row.getUuid(0);
        page.add(new AssetRef(last.toString(), cell.type(), Instant.ofEpochMilli(Uuids.unixTimestamp(last)), Map.of()));
      }
      for (AssetRef ref : page) {
        sum += ref.assetId().length();
      }
      count += page.size();
      if (page.size() < pageSize) {
        checksum.add(sum);
        return count;
      }
    }
  }

  long plainKeysetRefsAll(int parallel) {
    return Reads.inParallel(CassandraData.cells(), parallel, this::plainKeysetRefs);
  }

  long plainKeysetBoundedAll(int parallel) {
    return Reads.inParallel(CassandraData.cells(), parallel, this::plainKeysetBounded);
  }

  /** One statement per partition, the driver fetching each page of {@code pageSize} when the previous one is used up. */
  long plainPaging(CassandraData.Cell cell) {
    return readAll(session.execute(partition.bind(cell.type(), cell.bucket()).setPageSize(pageSize)));
  }

  /** The library's selector: every page of one shard through its paginator. */
  long selectorShard(TimeBucketSelector selector, Shard shard) {
    return Reads.readShard(selector, shard, pageSize, checksum, (paginator, page) -> { });
  }

  /** The naive way: one {@code SELECT asset_id FROM t} over the whole table, the driver paging with its default page size. */
  long fullScan() {
    return readAll(session.execute(SimpleStatement.newInstance("SELECT asset_id FROM " + table.qualified())));
  }

  /** Every id of a result set, the driver fetching the next page when one is used up. */
  private long readAll(ResultSet rs) {
    long count = 0;
    long sum = 0;
    for (Row row : rs) {
      sum += row.getUuid(0).getLeastSignificantBits();
      count++;
    }
    checksum.add(sum);
    return count;
  }

  long plainKeysetAll(int parallel) {
    return Reads.inParallel(CassandraData.cells(), parallel, this::plainKeyset);
  }

  /** {@link #plainKeysetAll}, each id handed to {@code onId} (called by the reading threads at once). */
  long plainKeysetAll(int parallel, Consumer<UUID> onId) {
    return Reads.inParallel(CassandraData.cells(), parallel, cell -> plainKeyset(cell, onId));
  }

  long plainPagingAll(int parallel) {
    return Reads.inParallel(CassandraData.cells(), parallel, this::plainPaging);
  }

  /** Every shard of {@code shards} through {@code selector}, {@code parallel} at a time. */
  long selectorAll(TimeBucketSelector selector, List<Shard> shards, int parallel) {
    return Reads.inParallel(shards, parallel, shard -> selectorShard(selector, shard));
  }

  /** Builds a selector and its shard list, as a job does once per run; returns the shards. */
  int selectorSetup() {
    return selector().shards().size();
  }

  long checksum() {
    return checksum.sum();
  }
}
