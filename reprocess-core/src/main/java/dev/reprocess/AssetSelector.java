package dev.reprocess;

import java.util.List;
import java.util.OptionalLong;

/**
 * Says which assets a job visits, and splits them into {@link Shard}s that can be read
 * independently and in parallel. The Cassandra, Elasticsearch and in-memory selectors implement
 * it; a host may write its own.
 *
 * <p>Lifecycle: the engine calls {@link #shards()} once per run, before it writes anything
 * (checkpoints, events), then {@link #open} once per shard that is not finished yet, from the
 * thread that reads that shard, then {@link #close()} when the run ends.
 *
 * <p>Threading: implementations must be thread-safe; {@link #open} is called concurrently for
 * different shards, and may block on I/O.
 */
public interface AssetSelector extends AutoCloseable {

  /**
   * The shards of this selection, in the order to visit them. Shard ids must be unique and stable
   * across runs. This is where a selector checks its configuration against the backend (the table
   * and its columns exist, the index exists): a bad configuration fails here, before anything is
   * written.
   *
   * @throws IllegalArgumentException if the configuration does not match the backend
   * @throws ReprocessException if the backend cannot be read
   */
  List<Shard> shards();

  /**
   * Opens a paginator over one shard.
   *
   * @param shard one of the shards returned by {@link #shards()}
   * @param from where to resume, as a previous {@link Page#cursor()} of the same shard; {@code
   *     null} to start at the beginning of the shard
   * @param pageSize the maximum number of assets per page, at least 1
   * @throws IllegalArgumentException if the cursor was not produced by this kind of selector
   */
  Paginator open(Shard shard, Cursor from, int pageSize);

  /**
   * The number of assets in the shard if it is cheap to know, for progress and ETA; empty
   * otherwise (the default). Called at most once per shard per run.
   */
  default OptionalLong estimateCount(Shard shard) {
    return OptionalLong.empty();
  }

  /**
   * Checks that a checkpointed cursor belongs to the shard and can be resumed from, before the job
   * delivers anything: the engine calls it for every shard whose checkpoint holds a cursor, so a
   * cursor written by another selector (or corrupted) fails the run at its start, not when the
   * shard's turn comes after other shards were handled. The default opens a paginator at the
   * cursor and closes it without reading a page; override it where {@link #open} does costly work
   * or the check can be cheaper.
   *
   * @throws IllegalArgumentException if {@link #open} would refuse the cursor for this shard
   */
  default void checkCursor(Shard shard, Cursor cursor) {
    open(shard, cursor, 1).close();
  }

  /**
   * The cursor a shard starts from when it has no checkpoint, if what the shard selects depends on
   * a state read when the selector listed it (for example the highest {@code _seq_no} its slices
   * share); {@code null} (the default) when {@code open(shard, null, n)} selects the same whenever
   * it is called. The engine saves it as the shard's checkpoint before the run's first event, so
   * that a run stopped before the shard started resumes it from the same state rather than one
   * listed again later.
   */
  default Cursor startCursor(Shard shard) {
    return null;
  }

  /**
   * Counts the assets of one shard, exactly the ones {@link #open} would return: what {@link
   * ReprocessJob#count()} calls for each shard. The default opens a paginator from the start of
   * the shard and reads it to its last page, counting (it holds at most one page in memory and
   * delivers nothing). Override it only where the backend counts exactly the same set cheaply (a
   * server-side count with the same filters, windows and limits); an approximate count, such as a
   * table estimate, must not override it. Called from the job's shard threads, concurrently for
   * different shards.
   *
   * @param shard one of the shards returned by {@link #shards()}
   * @param pageSize the assets per page the paginator reads, at least 1
   * @return the number of assets in the shard, 0 or more
   * @throws RetriableException or {@link ReprocessException} as {@link Paginator#nextPage()} does
   */
  default long count(Shard shard, int pageSize) {
    long count = 0;
    try (Paginator paginator = open(shard, null, pageSize)) {
      for (Page page = paginator.nextPage(); ; page = paginator.nextPage()) {
        count += page.size();
        if (page.last()) {
          return count;
        }
      }
    }
  }

  /** A short description for logs and reports, e.g. {@code cassandra assets.assets_by_type_bucket}. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /**
   * The canonical definition of this selection, to detect a job re-run under the same name with a
   * different selection: one {@code key=value} line per property, sorted by key, as {@link
   * SelectionDefinition#of} builds it. It names everything that decides which assets are selected
   * and how they are split and ordered (selector kind, table or index, columns, window, bucketing,
   * types, query, page order), and nothing that does not (page size, clients, credentials).
   * Stable across runs and processes; called once per run, after {@link #shards()} and before
   * any shard is opened, from the coordinator thread; no I/O beyond a file's metadata.
   *
   * <p>The engine stores it with the job's checkpoints ({@link
   * CheckpointStore#saveSelection}); a run whose definition differs from the stored one refuses to
   * resume, naming what changed, unless the job sets {@code restart(true)} (start over) or {@code
   * acceptChangedSelection(true)}.
   *
   * @return the definition, or {@code null} (the default) when the selector has none: then the job
   *     resumes whatever checkpoints its name has, unchecked
   */
  default String selectionDefinition() {
    return null;
  }

  /** Releases what the selector holds. Never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}
}
