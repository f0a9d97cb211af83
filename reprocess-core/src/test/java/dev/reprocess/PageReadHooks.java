package dev.reprocess;

import dev.reprocess.testing.InMemorySelector;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Test selectors that run a hook before each page read of an {@link InMemorySelector}. */
final class PageReadHooks {

  private PageReadHooks() {}

  /** Runs before a paginator's page read. */
  @FunctionalInterface
  interface Hook {
    /**
     * @param shard the paginator's shard
     * @param read the read's number within this paginator, from 1
     */
    void beforeRead(Shard shard, int read) throws InterruptedException;
  }

  /**
   * {@code inner}, with {@code hook} run before every page read; what the hook throws is the
   * read's failure (an interrupt as an {@link IllegalStateException}, the flag kept).
   */
  static AssetSelector beforeEachRead(InMemorySelector inner, Hook hook) {
    return new AssetSelector() {
      @Override
      public List<Shard> shards() {
        return inner.shards();
      }

      @Override
      public Paginator open(Shard shard, Cursor from, int pageSize) {
        Paginator p = inner.open(shard, from, pageSize);
        AtomicInteger reads = new AtomicInteger();
        return () -> {
          try {
            hook.beforeRead(shard, reads.incrementAndGet());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return p.nextPage();
        };
      }
    };
  }
}
