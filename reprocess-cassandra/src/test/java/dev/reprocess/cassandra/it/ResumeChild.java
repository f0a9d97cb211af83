package dev.reprocess.cassandra.it;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.EventHandler;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;

/**
 * The job that the resume test kills: a time-bucket selection with checkpoints in Cassandra, whose
 * handler appends each asset id to a file with one unbuffered write (so what the file holds is
 * exactly what was handled when the process is killed). Its lease lasts 3 s, so that the test's
 * resuming run (onRunningElsewhere WAIT) takes over soon after the kill. Arguments: host port datacenter table
 * checkpointTable jobName outFile pageSize maxEventsPerSecond from to type...
 */
public final class ResumeChild {
  private ResumeChild() {}

  public static void main(String[] args) throws Exception {
    InetSocketAddress contactPoint = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    try (CqlSession session = Cassandra.session(contactPoint, args[2]);
        FileChannel out = FileChannel.open(Path.of(args[6]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      EventHandler handler = EventHandler.of(event -> {
        byte[] line = (event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
          out.write(ByteBuffer.wrap(line));
        }
      });
      ReprocessJob.builder(args[5])
          .selector(TimeBucketSelector.builder(session)
              .table(args[3])
              .assetTypes(Arrays.asList(args).subList(11, args.length))
              .window(Instant.parse(args[9]), Instant.parse(args[10]))
              .build())
          .handler(handler)
          .pageSize(Integer.parseInt(args[7]))
          .shardsInParallel(4)
          .concurrency(16)
          .maxEventsPerSecond(Double.parseDouble(args[8]))
          .leaseTimeToLive(java.time.Duration.ofSeconds(3)) // the resuming run waits for it to expire
          .checkpointStore(CassandraCheckpointStore.builder(session).table(args[4]).build())
          .checkpointInterval(Duration.ZERO) // after every page: the crash bound the IT checks
          .build()
          .run()
          .throwIfFailed();
    }
  }
}
