package dev.reprocess;

/**
 * Reads one {@link Shard} page by page, with keyset pagination (the last key seen bounds the next
 * query), a driver paging state, or {@code search_after}: whichever its selector uses. Created by
 * {@link AssetSelector#open}.
 *
 * <p>Threading: one paginator is used by one thread at a time, the job's worker for that shard;
 * {@link #nextPage()} may block on I/O. It need not be thread-safe.
 */
public interface Paginator extends AutoCloseable {

  /**
   * Reads the next page. The caller stops after a page whose {@link Page#last()} is true and does
   * not call this method again.
   *
   * @return the next page, never null; possibly empty, in which case it must be the last
   * @throws RetriableException when a transient backend error may pass if the page is read again
   * @throws ReprocessException on any other read failure
   */
  Page nextPage();

  /** Releases what the paginator holds (a point in time, a result set). Idempotent; default no-op. */
  @Override
  default void close() {}
}
