package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testkit.CassandraServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the single Cassandra node the job reads from and checkpoints to is stopped mid-job and
 * started again, for longer than the job's lease lives. Page reads, checkpoint writes and the lease
 * renewals wait through the outage (default outage budget), and the job completes in the same run with every asset handled. Owns its node, since stopping
 * the shared one would disturb other tests.
 */
class NodeRestartIT {

  private static final int COUNT = 12_000;

  @Test
  void theJobCompletesInTheSameRunWithEveryAssetWhenTheOnlyNodeRestartsMidJob() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      ids.add(String.format("asset-%06d", i));
    }
    ConcurrentHashMap.KeySetView<String, Boolean> handled = ConcurrentHashMap.newKeySet();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    try (CassandraServer server = CassandraServer.builder().baseDirectory(Path.of("target", "node-restart-it")).start();
        // Retries the node every 500 ms: with the driver's backoff it saw the node back up to 15 s late.
        CqlSession session = Cassandra.session(server, Duration.ofMillis(500))) {
      String ks = Cassandra.newKeyspace(session, "restart");
      session.execute("CREATE TABLE " + ks + ".assets (asset_id text PRIMARY KEY)");
      insert(session, ks, ids);
      CassandraCheckpointStore checkpoints = CassandraCheckpointStore.builder(session).keyspace(ks)
          .createTable(true).build();

      JobExecution execution = ReprocessJob.builder("node-restart")
          .selector(TokenRangeSelector.builder(session).table(ks + ".assets").splits(8).build())
          .handler(e -> {
            handled.add(e.assetId());
            return Outcome.SUCCEEDED;
          })
          .checkpointStore(checkpoints).deadLetterSink(deadLetters)
          .pageSize(200).maxEventsPerSecond(1_000) // about 12 s of work, so the restart lands mid-run
          // A lease shorter than any restart: the run keeps it through the outage (nobody can take it over).
          .leaseTimeToLive(Duration.ofSeconds(3))
          .build().start();

      await().atMost(Duration.ofMinutes(2)).until(() -> handled.size() >= COUNT / 5);
      server.stop();
      assertThat(execution.isDone()).as("the job is mid-run when its node stops").isFalse();
      server.startAgain();

      JobReport report = execution.await(Duration.ofMinutes(6));
      assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.deadLettered()).isZero();
      assertThat(deadLetters.deadLetters()).isEmpty();
      assertThat(report.shardsCompleted()).isEqualTo(report.shardsTotal());
    }
    assertThat(new HashSet<>(handled)).isEqualTo(new HashSet<>(ids));
  }

  private static void insert(CqlSession session, String ks, List<String> ids) {
    PreparedStatement insert = session.prepare("INSERT INTO " + ks + ".assets (asset_id) VALUES (?)");
    for (int from = 0; from < ids.size(); from += 256) {
      List<CompletableFuture<?>> batch = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(ids.size(), from + 256))) {
        batch.add(session.executeAsync(insert.bind(id)).toCompletableFuture());
      }
      CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
    }
  }
}
