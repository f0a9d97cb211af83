package dev.reprocess.cassandra.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Generated assets: {@code total} assets over types x daily buckets, with uneven bucket sizes
 * (cubed uniform weights) and some empty buckets, each with a unique timeuuid whose timestamp is
 * its creation time. Deterministic for a seed.
 */
public final class Dataset {

  /** One asset. */
  public record Asset(UUID id, String type, Instant createdAt) {
    public String idText() {
      return id.toString();
    }
  }

  private final List<Asset> assets;
  private final Instant from;
  private final Instant to;
  private final int emptyBuckets;

  private Dataset(List<Asset> assets, Instant from, Instant to, int emptyBuckets) {
    this.assets = assets;
    this.from = from;
    this.to = to;
    this.emptyBuckets = emptyBuckets;
  }

  /**
   * @param from the first day's start (UTC midnight)
   * @param days how many daily buckets
   */
  public static Dataset generate(long seed, List<String> types, Instant from, int days, int total) {
    Random rnd = new Random(seed);
    int cells = types.size() * days;
    double[] weights = new double[cells];
    double sum = 0;
    int empty = 0;
    for (int i = 0; i < cells; i++) {
      boolean isEmpty = rnd.nextInt(10) == 0;
      weights[i] = isEmpty ? 0 : Math.pow(rnd.nextDouble(), 3) + 0.01;
      empty += isEmpty ? 1 : 0;
      sum += weights[i];
    }
    int[] sizes = new int[cells];
    int assigned = 0;
    int biggest = 0;
    for (int i = 0; i < cells; i++) {
      sizes[i] = (int) Math.floor(total * weights[i] / sum);
      assigned += sizes[i];
      if (sizes[i] > sizes[biggest]) {
        biggest = i;
      }
    }
    sizes[biggest] += total - assigned;
    List<Asset> assets = new ArrayList<>(total);
    long dayMillis = Duration.ofDays(1).toMillis();
    for (int i = 0; i < cells; i++) {
      String type = types.get(i % types.size());
      long dayStart = from.toEpochMilli() + (i / types.size()) * dayMillis;
      for (int k = 0; k < sizes[i]; k++) {
        long millis = dayStart + (long) (rnd.nextDouble() * dayMillis);
        assets.add(new Asset(timeuuid(millis, rnd), type, Instant.ofEpochMilli(millis)));
      }
    }
    return new Dataset(Collections.unmodifiableList(assets), from, from.plus(Duration.ofDays(days)), empty);
  }

  /** A timeuuid with this millisecond timestamp and a random clock sequence and node. */
  public static UUID timeuuid(long millis, Random rnd) {
    long msb = Uuids.startOf(millis).getMostSignificantBits();
    long lsb = (rnd.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  public List<Asset> assets() {
    return assets;
  }

  public Instant from() {
    return from;
  }

  public Instant to() {
    return to;
  }

  /** (type, day) cells that got no asset. */
  public int emptyBuckets() {
    return emptyBuckets;
  }

  /** Ids as strings. */
  public List<String> ids() {
    return assets.stream().map(Asset::idText).collect(Collectors.toList());
  }

  /**
   * Inserts every asset with unlogged single-partition batches of 80 rows, many in flight at once.
   *
   * @param values the insert's bind values for an asset
   * @param partition the asset's partition key, to group batches by
   */
  public void load(CqlSession session, PreparedStatement insert, Function<Asset, Object[]> values,
      Function<Asset, Object> partition) {
    insertAll(session, insert, assets, values, partition);
  }

  /** Inserts rows with unlogged single-partition batches of 80, up to 64 batches in flight. */
  public static <T> void insertAll(CqlSession session, PreparedStatement insert, List<T> rows,
      Function<T, Object[]> values, Function<T, Object> partition) {
    Map<Object, List<T>> byPartition = new LinkedHashMap<>();
    for (T row : rows) {
      byPartition.computeIfAbsent(partition.apply(row), k -> new ArrayList<>()).add(row);
    }
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (List<T> part : byPartition.values()) {
      for (int i = 0; i < part.size(); i += 80) {
        BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
        for (T row : part.subList(i, Math.min(i + 80, part.size()))) {
          batch.addStatement(insert.bind(values.apply(row)));
        }
        inFlight.acquireUninterruptibly();
        CompletableFuture<?> f = session.executeAsync(batch.build().setIdempotent(true)).toCompletableFuture();
        f.whenComplete((r, e) -> inFlight.release());
        all.add(f);
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }
}
