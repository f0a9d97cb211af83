package dev.reprocess.checkpoint;

import dev.reprocess.EventHandler;
import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A replica running a job with a {@link FileCheckpointStore}, for {@link FileLeaseIT}: ids {@code
 * a-0..a-<count-1>} in 4 shards, each handled id appended to a file with one unbuffered write.
 * Prints {@code STARTED} once it holds the lease, then {@code RESULT <status> <failure>}; exits 0
 * when completed, 3 otherwise. Arguments: checkpointDir jobName outFile count maxEventsPerSecond.
 */
public final class FileLeaseChild {
  private FileLeaseChild() {}

  public static void main(String[] args) throws Exception {
    JobReport report;
    try (FileChannel out = FileChannel.open(Path.of(args[2]), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      EventHandler handler = EventHandler.of(event -> {
        synchronized (out) {
          out.write(ByteBuffer.wrap((event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII)));
        }
      });
      List<String> ids = IntStream.range(0, Integer.parseInt(args[3])).mapToObj(i -> "a-" + i).toList();
      report = ReprocessJob.builder(args[1]).selector(InMemorySelector.ofIds(ids, 4)).handler(handler)
          .pageSize(20).maxEventsPerSecond(Double.parseDouble(args[4]))
          .checkpointStore(new FileCheckpointStore(Path.of(args[0])))
          .checkpointInterval(Duration.ZERO) // after every page: the crash bound the IT checks
          .listener(new JobListener() {
            @Override
            public void onJobStarted(String jobName, List<Shard> shards) {
              System.out.println("STARTED");
              System.out.flush();
            }
          })
          .build().run();
    }
    String failure = report.failureCause() == null ? "" : report.failureCause().getMessage().replace('\n', ' ');
    System.out.println("RESULT " + report.status() + " " + failure);
    System.out.flush();
    System.exit(report.status() == JobStatus.COMPLETED ? 0 : 3);
  }
}
