package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.AssetRef;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;

/**
 * The ways of reading a table's ids that the Cassandra cases compare. Each returns the number of
 * ids read and folds every id into a checksum, so the JIT cannot drop the reads.
 */
final class CassandraReads {
  private final CqlSession session;
  private final CassandraData.Table table;
  private final int pageSize;
  private final PreparedStatement first;
  private final PreparedStatement next;
  private final PreparedStatement partition;
  /** Folds in every id read, from any thread, so the JIT cannot drop the reads. */
  private final java.util.concurrent.atomic.LongAdder checksum = new java.util.concurrent.atomic.LongAdder();

  CassandraReads(CqlSession session, CassandraData.Table table, int pageSize) {
    this.session = session;
    this.table = table;
    this.pageSize = pageSize;
    this.first = session.prepare("SELECT asset_id FROM " + table.qualified() + " WHERE asset_type = ? AND bucket = ? LIMIT ?");
    this.next = session.prepare("SELECT asset_id FROM " + table.qualified()
        + " WHERE asset_type = ? AND bucket = ? AND asset_id < ? LIMIT ?");
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
    long count = 0;
    long sum = 0;
    UUID last = null;
    while (true) {
      BoundStatement s = last == null ? first.bind(cell.type(), cell.bucket(), pageSize)
          : next.bind(cell.type(), cell.bucket(), last, pageSize);
      ResultSet rs = session.execute(s.setPageSize(pageSize));
      int inPage = 0;
      for (Row row : rs) {
        last = row.getUuid(0);
        sum += last.getLeastSignificantBits();
        inPage++;
      }
      count += inPage;
      if (inPage < pageSize) {
        checksum.add(sum);
        return count;
      }
    }
  }

  /** One statement per partition, the driver fetching each page of {@code pageSize} when the previous one is used up. */
  long plainPaging(CassandraData.Cell cell) {
    ResultSet rs = session.execute(partition.bind(cell.type(), cell.bucket()).setPageSize(pageSize));
    long count = 0;
    long sum = 0;
    for (Row row : rs) {
      sum += row.getUuid(0).getLeastSignificantBits();
      count++;
    }
    checksum.add(sum);
    return count;
  }

  /** The library's selector: every page of one shard through its paginator. */
  long selectorShard(TimeBucketSelector selector, Shard shard) {
    long count = 0;
    long sum = 0;
    try (Paginator p = selector.open(shard, null, pageSize)) {
      Page page;
      do {
        page = p.nextPage();
        for (AssetRef ref : page.assets()) {
          sum += ref.assetId().length();
        }
        count += page.size();
      } while (!page.last());
    }
    checksum.add(sum);
    return count;
  }

  /** The naive way: one {@code SELECT asset_id FROM t} over the whole table, the driver paging with its default page size. */
  long fullScan() {
    ResultSet rs = session.execute(SimpleStatement.newInstance("SELECT asset_id FROM " + table.qualified()));
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
    return inParallel(CassandraData.cells(), parallel, this::plainKeyset);
  }

  long plainPagingAll(int parallel) {
    return inParallel(CassandraData.cells(), parallel, this::plainPaging);
  }

  long selectorAll(int parallel) {
    TimeBucketSelector selector = selector();
    return inParallel(selector.shards(), parallel, shard -> selectorShard(selector, shard));
  }

  /** Reads the items with {@code parallel} threads, each taking the next one when done. */
  static <T> long inParallel(List<T> items, int parallel, ToLongFunction<T> read) {
    if (parallel == 1) {
      long total = 0;
      for (T item : items) {
        total += read.applyAsLong(item);
      }
      return total;
    }
    ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>(items);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        results.add(pool.submit(() -> {
          long total = 0;
          for (T item = queue.poll(); item != null; item = queue.poll()) {
            total += read.applyAsLong(item);
          }
          return total;
        }));
      }
      long total = 0;
      for (Future<Long> f : results) {
        total += f.get();
      }
      return total;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Fails unless a variant read exactly the table's assets. */
  static void check(String what, long read, long expected) {
    if (read != expected) {
      throw new IllegalStateException(what + " read " + read + " ids, expected " + expected);
    }
  }

  long checksum() {
    return checksum.sum();
  }
}
