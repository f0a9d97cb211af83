package dev.reprocess.cassandra.it;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.EventHandler;
import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RunningElsewhere;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A replica running a job under a lease, for the lease tests: a time-bucket selection with
 * checkpoints in Cassandra; the handler appends each asset id to a file with one unbuffered write.
 * Prints {@code STARTED <epochMillis>} once it holds the lease (the job started), then {@code
 * RESULT <status> <failure>}; exits 0 when the job completed, 3 otherwise. Arguments: host port
 * datacenter table checkpointTable jobName outFile pageSize maxEventsPerSecond from to
 * onRunningElsewhere leaseTtlSeconds (0 for the default) type...
 */
public final class LeaseChild {
  private LeaseChild() {}

  public static void main(String[] args) throws Exception {
    InetSocketAddress contactPoint = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    JobReport report;
    try (CqlSession session = Cassandra.session(contactPoint, args[2]);
        FileChannel out = FileChannel.open(Path.of(args[6]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      EventHandler handler = EventHandler.of(event -> {
        byte[] line = (event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
          out.write(ByteBuffer.wrap(line));
        }
      });
      ReprocessJob.Builder job = ReprocessJob.builder(args[5])
          .selector(TimeBucketSelector.builder(session)
              .table(args[3])
              .assetTypes(Arrays.asList(args).subList(13, args.length))
              .window(Instant.parse(args[9]), Instant.parse(args[10]))
              .build())
          .handler(handler)
          .pageSize(Integer.parseInt(args[7]))
          .shardsInParallel(4)
          .concurrency(16)
          .maxEventsPerSecond(Double.parseDouble(args[8]))
          .onRunningElsewhere(RunningElsewhere.valueOf(args[11]))
          .checkpointStore(CassandraCheckpointStore.builder(session).table(args[4]).build())
          .checkpointInterval(Duration.ZERO) // after every page: the crash bound the IT checks
          .listener(new JobListener() {
            @Override
            public void onJobStarted(String jobName, List<Shard> shards) {
              System.out.println("STARTED " + System.currentTimeMillis());
              System.out.flush();
            }
          });
      int ttl = Integer.parseInt(args[12]);
      if (ttl > 0) {
        job.leaseTimeToLive(Duration.ofSeconds(ttl));
      }
      report = job.build().run();
    }
    String failure = report.failureCause() == null ? "" : report.failureCause().getMessage().replace('\n', ' ');
    System.out.println("RESULT " + report.status() + " " + failure);
    System.out.flush();
    System.exit(report.status() == dev.reprocess.JobStatus.COMPLETED ? 0 : 3);
  }
}
