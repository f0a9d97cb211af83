package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Outcome;
import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.kafka.it.SinkJobChild;
import dev.reprocess.testkit.ChildJvm;
import dev.reprocess.testkit.KafkaServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's lossy scenario, end to end with processes: a service replica (a child JVM) publishes a
 * job to Kafka while workers (a consumer group, here) handle the events; the brokers go down, the
 * replica is killed (SIGKILL) and started again while they are down, and they come back 20 s
 * after they stopped (the new replica's sink bounds its preflight to 5 s, so the replica waits
 * well before). Before the outage handling this lost 37,289 assets and still reported COMPLETED;
 * now the restarted replica waits, completes in the same run with nothing dead-lettered, and
 * every asset reaches the workers. Its own broker (restarting the shared one
 * would disturb other tests); checkpoints and lease in a {@link FileCheckpointStore}, whose OS lock
 * the killed replica loses at once.
 */
class BrokersDownJobRestartIT {
  private static final int COUNT = 30_000;
  private static final double RATE = 1_500; // about 20 s of publishing, so the outage lands mid-run
  private static final Duration DOWNTIME = Duration.ofSeconds(20);
  /** The restarted replica's sink preflight bound (the sink's default is 30 s): it says it waits sooner. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
  }

  @Test
  void aReplicaKilledAndRestartedWhileTheBrokersAreDownCompletesWithEveryAssetDeliveredAndNothingDeadLettered()
      throws Exception {
    String topic = KafkaIts.unique("events");
    String job = "brokers-down-" + topic;
    Path dir = Files.createDirectories(Path.of("target", "brokers-down-it", topic));
    Path checkpoints = dir.resolve("checkpoints");
    ConcurrentHashMap.KeySetView<String, Boolean> handled = ConcurrentHashMap.newKeySet();
    LongAdder handlerCalls = new LongAdder();

    try (KafkaServer server = KafkaServer.builder().baseDirectory(dir.resolve("broker")).start()) {
      String bootstrap = server.bootstrapServers();
      KafkaIts.createTopics(bootstrap, topic, 4);
      try (KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
          .groupId(KafkaIts.unique("workers")).commitInterval(Duration.ofMillis(200)).concurrency(8)
          .handler(e -> {
            handled.add(e.assetId());
            handlerCalls.increment();
            return Outcome.SUCCEEDED;
          }).build().start()) {
        ChildJvm first = start(bootstrap, topic, checkpoints, job, dir.resolve("first.log"), null);
        first.awaitLine("STARTED ", Duration.ofSeconds(60));
        awaitMidRun(first, checkpoints, job, handled);

        long stoppedAt = System.nanoTime();
        server.stop();
        assertThat(first.process().isAlive()).as("mid-run when the brokers stopped:\n" + first.log()).isTrue();
        first.kill(); // SIGKILL: its sends in flight are lost, its pages in flight never checkpointed
        long deliveredBeforeKill = handled.size();

        ChildJvm second = start(bootstrap, topic, checkpoints, job, dir.resolve("second.log"), READY_TIMEOUT);
        // Its preflight finds no broker within the sink's readyTimeout (READY_TIMEOUT): it waits, and says so.
        second.awaitLine("WAITING for kafka topic " + topic, Duration.ofSeconds(150));
        assertThat(second.process().isAlive()).as("waiting, not failing:\n" + second.log()).isTrue();

        // The deliberate part of the scenario: the brokers stay down DOWNTIME (longer only when the
        // new replica took longer than that to start waiting), the waiting replica alive throughout.
        Thread.sleep(Math.max(0, DOWNTIME.toMillis() - nanosToMillis(System.nanoTime() - stoppedAt)));
        long downMillis = nanosToMillis(System.nanoTime() - stoppedAt);
        assertThat(second.process().isAlive()).as("still waiting after " + downMillis + " ms:\n" + second.log())
            .isTrue();
        server.startAgain();
        long backAt = System.nanoTime();

        assertThat(second.awaitExit(Duration.ofMinutes(5))).as(second.log()).isZero();
        long completedAfterBackMillis = nanosToMillis(System.nanoTime() - backAt);
        String result = second.awaitLine("RESULT ", Duration.ZERO);
        assertThat(result).startsWith("RESULT COMPLETED ").contains(" deadLettered=0 ");
        assertThat(second.log()).doesNotContain("dead-lettered after");

        await().atMost(Duration.ofMinutes(3)).until(() -> handled.size() == COUNT);
        assertThat(new HashSet<>(handled)).isEqualTo(new HashSet<>(SinkJobChild.ids(COUNT)));
        long published;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
          published = KafkaIts.count(admin, topic);
        }
        // The documented at-least-once bound with checkpointInterval 0: a restarted job delivers
        // again at most the pages in flight when the replica died and those whose checkpoint was
        // not written yet, (16 + 4) x pageSize per shard read in parallel.
        int bound = (16 + 4) * SinkJobChild.PAGE_SIZE * SinkJobChild.SHARDS;
        assertThat(published - COUNT).as("events published twice").isBetween(0L, (long) bound);
        System.out.printf("BROKERS DOWN + JOB RESTART: %d ids, %d delivered to the workers before the kill, "
            + "brokers down %d ms, restarted job completed %d ms after they were back (%s); published %d records "
            + "(%d twice, bound %d); worker handler calls %d (%d repeated)%n", COUNT, deliveredBeforeKill,
            downMillis, completedAfterBackMillis, result, published, published - COUNT, bound,
            handlerCalls.sum(), handlerCalls.sum() - COUNT);
      }
    }
  }

  /** @param readyTimeout the sink's preflight bound; null: the sink's default */
  private ChildJvm start(String bootstrap, String topic, Path checkpoints, String job, Path log,
      Duration readyTimeout) {
    List<String> args = new ArrayList<>(List.of(bootstrap, topic, checkpoints.toString(), job,
        Integer.toString(COUNT), Double.toString(RATE)));
    if (readyTimeout != null) {
      args.add(Long.toString(readyTimeout.toMillis()));
    }
    ChildJvm child = ChildJvm.start(SinkJobChild.class, List.of("-Xmx256m"), args, log);
    children.add(child);
    return child;
  }

  /** A fifth of the assets reached the workers and some shard is checkpointed mid-way. */
  private static void awaitMidRun(ChildJvm child, Path checkpoints, String job, Set<String> handled) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!child.process().isAlive()) {
        throw new AssertionError("the job ended before the outage:\n" + child.log());
      }
      return handled.size() >= COUNT / 5
          && new FileCheckpointStore(checkpoints).load(job).values().stream()
              .anyMatch(c -> !c.completed() && c.cursor() != null);
    });
  }

  private static long nanosToMillis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
