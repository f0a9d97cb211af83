package dev.reprocess.kafka.it;

import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.testing.InMemorySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A service replica running a job that publishes to a Kafka topic, for {@code BrokersDownJobRestartIT}:
 * ids {@code asset-000000..} in {@link #SHARDS} shards read in parallel, pages of {@link #PAGE_SIZE},
 * checkpoints (and the lease: an OS file lock) in a {@link FileCheckpointStore}; every other option
 * is the default, as a service would run it (the default dead-letter sink: the log), except the
 * sink's {@code readyTimeout} when given. Prints {@code STARTED <epochMillis>} once the job holds its
 * lease, then {@code RESULT <status> selected=<n> succeeded=<n> deadLettered=<n> <failure>}; exits 0
 * when completed, 3 otherwise. Arguments: bootstrapServers topic checkpointDir jobName count
 * maxEventsPerSecond [readyTimeoutMillis] (the sink's preflight bound; default the sink's, 30 s).
 */
public final class SinkJobChild {
  /** Shards, all read in parallel. */
  public static final int SHARDS = 4;
  /** Assets per page. */
  public static final int PAGE_SIZE = 200;

  private SinkJobChild() {}

  /** The ids the job selects. */
  public static List<String> ids(int count) {
    return IntStream.range(0, count).mapToObj(i -> String.format("asset-%06d", i)).toList();
  }

  public static void main(String[] args) {
    JobReport report;
    KafkaEventSink.Builder sinkBuilder = KafkaEventSink.builder().bootstrapServers(args[0]).topic(args[1]);
    if (args.length > 6) {
      sinkBuilder.readyTimeout(Duration.ofMillis(Long.parseLong(args[6])));
    }
    try (KafkaEventSink sink = sinkBuilder.build()) {
      report = ReprocessJob.builder(args[3])
          .selector(InMemorySelector.ofIds(ids(Integer.parseInt(args[4])), SHARDS))
          .sink(sink)
          .pageSize(PAGE_SIZE)
          .shardsInParallel(SHARDS)
          .maxEventsPerSecond(Double.parseDouble(args[5]))
          .checkpointStore(new FileCheckpointStore(Path.of(args[2])))
          .checkpointInterval(Duration.ZERO) // after every page: the page bound BrokersDownJobRestartIT checks
          .listener(new JobListener() {
            @Override
            public void onJobStarted(String jobName, List<Shard> shards) {
              System.out.println("STARTED " + System.currentTimeMillis());
              System.out.flush();
            }
          })
          .build()
          .run();
    }
    String failure = report.failureCause() == null ? "" : report.failureCause().getMessage().replace('\n', ' ');
    System.out.println("RESULT " + report.status() + " selected=" + report.selected() + " succeeded="
        + report.succeeded() + " deadLettered=" + report.deadLettered() + " " + failure);
    System.out.flush();
    System.exit(report.status() == JobStatus.COMPLETED ? 0 : 3);
  }
}
