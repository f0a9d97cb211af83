package dev.reprocess.examples;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a directory and stores every regular file as an asset: both Cassandra rows through {@link
 * Catalog#insertAsync} (up to {@value #MAX_IN_FLIGHT} writes in flight) and, when an index is
 * given, a catalog document through a bulk {@link SearchIndex.Indexer}. Symbolic links are
 * followed (a link to a file is stored under the link's path); loops, unreadable entries and
 * files that are not regular files are skipped and counted. Ids are {@link AssetIds#forFile}, so
 * ingesting the same tree again rewrites the same assets. One walk per instance, on the caller's
 * thread.
 */
final class Ingester {
  static final int MAX_IN_FLIGHT = 256;
  private static final Logger LOG = LoggerFactory.getLogger(Ingester.class);

  /** What an ingest did. */
  record Result(Path root, long seen, long stored, long indexed, long skipped, long failed, Duration duration,
      Map<String, Long> byMediaType, String firstError) {
    double ratePerSecond() {
      return duration.toNanos() == 0 ? 0 : stored * 1e9 / duration.toNanos();
    }
  }

  private final Catalog catalog;
  private final SearchIndex search;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final Map<String, AtomicLong> byType = new ConcurrentHashMap<>();

  /** @param search where to index the files, or null for Cassandra only */
  Ingester(Catalog catalog, SearchIndex search) {
    this.catalog = catalog;
    this.search = search;
  }

  long seen() {
    return seen.get();
  }

  long stored() {
    return stored.get();
  }

  long skipped() {
    return skipped.get();
  }

  /**
   * Walks {@code root} and waits until every write finished.
   *
   * @throws IllegalArgumentException if {@code root} is not a readable directory
   */
  Result ingest(Path root) throws IOException, InterruptedException {
    OptionChecks.readableDirectory("PATH", root);
    Path dir = root.toAbsolutePath().normalize();
    long start = System.nanoTime();
    SearchIndex.Indexer indexer = search == null ? null : search.indexer();
    try {
      Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              seen.incrementAndGet();
              if (!attrs.isRegularFile() || !Files.isReadable(file)) {
                skipped.incrementAndGet();
                return FileVisitResult.CONTINUE;
              }
              try {
                store(file, attrs, indexer);
              } catch (IllegalArgumentException e) {
                skipped.incrementAndGet(); // a modification time a timeuuid cannot hold (before 1582)
                LOG.debug("skipping {}: {}", file, e.getMessage());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              seen.incrementAndGet();
              skipped.incrementAndGet();
              if (e instanceof FileSystemLoopException) {
                LOG.debug("skipping a symbolic link loop at {}", file);
              } else {
                LOG.debug("skipping {}: {}", file, e.toString());
              }
              return FileVisitResult.CONTINUE;
            }
          });
      if (!inFlight.tryAcquire(MAX_IN_FLIGHT, 5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("Cassandra writes did not finish within 5 minutes");
      }
      inFlight.release(MAX_IN_FLIGHT);
      long indexed = 0;
      if (indexer != null) {
        indexer.close();
        indexed = indexer.indexed();
        if (indexer.failed() > 0) {
          failed.addAndGet(indexer.failed());
          firstError.compareAndSet(null, "Elasticsearch: " + indexer.firstError());
        }
      }
      Map<String, Long> types = new java.util.TreeMap<>();
      byType.forEach((k, v) -> types.put(k, v.get()));
      return new Result(dir, seen.get(), stored.get(), indexed, skipped.get(), failed.get(),
          Duration.ofNanos(System.nanoTime() - start), types, firstError.get());
    } finally {
      if (indexer != null) {
        indexer.close(); // idempotent; on an error it still sends what is buffered and stops its threads
      }
    }
  }

  private void store(Path file, BasicFileAttributes attrs, SearchIndex.Indexer indexer) {
    Instant modifiedAt = attrs.lastModifiedTime().toInstant();
    String mediaType = MediaTypes.detect(file);
    Path absolute = file.toAbsolutePath().normalize();
    Catalog.FileAsset asset = new Catalog.FileAsset(AssetIds.forFile(absolute, modifiedAt), absolute.toString(),
        attrs.size(), mediaType, modifiedAt);
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingesting " + file, e);
    }
    catalog.insertAsync(asset).whenComplete((ok, error) -> {
      inFlight.release();
      if (error == null) {
        stored.incrementAndGet();
        byType.computeIfAbsent(mediaType, t -> new AtomicLong()).incrementAndGet();
      } else {
        failed.incrementAndGet();
        firstError.compareAndSet(null, "Cassandra: " + error);
      }
    });
    if (indexer != null) {
      indexer.add(asset);
    }
  }

  /** The ingest of {@code root} recorded as complete, if any. */
  static Optional<Map.Entry<Long, Instant>> lastComplete(Catalog catalog, Path root) {
    return catalog.lastIngest(root.toAbsolutePath().normalize().toString());
  }
}
