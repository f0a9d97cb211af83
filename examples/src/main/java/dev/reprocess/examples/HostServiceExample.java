package dev.reprocess.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.AssetLoader;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The README's host-service example, kept here so that it compiles: a service that already holds a
 * {@link CqlSession} builds a job with the fluent builder and its own handler, which stores each
 * text file's line count in the asset's metadata. Running it again resumes from its checkpoints.
 */
public final class HostServiceExample {
  private HostServiceExample() {}

  /** Counts the lines of the text/plain and text/markdown assets of {@code ks} modified in [from, to). */
  public static JobReport countLines(CqlSession session, String ks, Instant from, Instant to) {
    AssetLoader assets = AssetLoader.builder(session).table(ks + ".assets").build();
    PreparedStatement update = session.prepare("UPDATE " + ks + ".assets SET metadata['lines'] = ? WHERE asset_id = ?");
    return ReprocessJob.builder("count-lines")
        .selector(TimeBucketSelector.builder(session)
            .table(ks + ".assets_by_type_bucket")
            .assetTypes("text/plain", "text/markdown")
            .window(from, to)
            .bucketing(Bucketing.daily())
            .build())
        .handler(event -> {
          Optional<Row> row = assets.load(event);
          if (row.isEmpty()) {
            return Outcome.SKIPPED; // deleted since it was selected
          }
          Path file = Path.of(row.get().getMap("metadata", String.class, String.class).get("path"));
          try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            session.execute(update.bind(Long.toString(lines.count()), UUID.fromString(event.assetId())));
          }
          return Outcome.SUCCEEDED;
        })
        .checkpointStore(CassandraCheckpointStore.builder(session).keyspace(ks).build())
        .maxEventsPerSecond(500)
        .build()
        .run();
  }
}
