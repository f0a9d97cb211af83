package dev.reprocess.examples;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.cassandra.AssetLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job a's handler: computes the SHA-256 of an asset's file and writes it back as {@code
 * metadata['sha256']} of the {@code assets} row. The row comes from the {@link AssetLoader}; an
 * asset whose row is gone (deleted since it was selected), whose file vanished, or whose file
 * changed since ingest (another modification time or size: the asset stands for the old content)
 * is {@link Outcome#SKIPPED}, not failed. Idempotent, so a redelivered event only hashes again.
 * Thread-safe: the engine calls it from its handler threads.
 */
final class Sha256Backfill implements EventHandler {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final AssetLoader loader;
  private final Catalog catalog;
  private final AtomicLong vanished = new AtomicLong();
  private final AtomicLong changed = new AtomicLong();
  private final AtomicLong bytesHashed = new AtomicLong();

  Sha256Backfill(AssetLoader loader, Catalog catalog) {
    this.loader = loader;
    this.catalog = catalog;
  }

  @Override
  public Outcome handle(ReprocessEvent event) throws IOException {
    Optional<Row> row = loader.load(event);
    if (row.isEmpty()) {
      vanished.incrementAndGet();
      return Outcome.SKIPPED;
    }
    Map<String, String> metadata = row.get().getMap("metadata", String.class, String.class);
    String path = metadata == null ? null : metadata.get(Catalog.PATH);
    if (path == null) {
      throw new IllegalStateException("asset " + event.assetId() + " has no metadata['path']");
    }
    Path file = Path.of(path);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      vanished.incrementAndGet();
      return Outcome.SKIPPED;
    }
    String modifiedAt = metadata.get(Catalog.MODIFIED_AT);
    String size = metadata.get(Catalog.SIZE);
    if (!attrs.isRegularFile() || modifiedAt == null || size == null
        || !attrs.lastModifiedTime().toInstant().equals(Instant.parse(modifiedAt))
        || attrs.size() != Long.parseLong(size)) {
      changed.incrementAndGet();
      return Outcome.SKIPPED;
    }
    String sha256;
    try {
      sha256 = sha256(file);
    } catch (NoSuchFileException e) {
      vanished.incrementAndGet();
      return Outcome.SKIPPED;
    }
    bytesHashed.addAndGet(attrs.size());
    catalog.setSha256(UUID.fromString(event.assetId()), sha256);
    return Outcome.SUCCEEDED;
  }

  /** The SHA-256 of a file's content, in lower-case hex. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = AssetIds.sha256();
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Assets skipped because their row or file was gone. */
  long vanished() {
    return vanished.get();
  }

  /** Assets skipped because their file changed since ingest. */
  long changed() {
    return changed.get();
  }

  long bytesHashed() {
    return bytesHashed.get();
  }
}
