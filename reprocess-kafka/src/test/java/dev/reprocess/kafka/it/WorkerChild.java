package dev.reprocess.kafka.it;

import dev.reprocess.Outcome;
import dev.reprocess.kafka.KafkaReprocessWorker;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker process of a consumer group, for {@code JobCompletionIT}'s kill test: a {@link
 * KafkaReprocessWorker} with 4 handler threads, an outcomes topic, a 10 s session timeout (a killed
 * worker's partitions move within seconds) and a handler that sleeps {@code handleMillis}, then
 * appends the asset id to the output file (before the worker may commit it). Prints {@code STARTED}
 * once running; runs until killed. Arguments: bootstrapServers topic groupId name outputFile
 * handleMillis.
 */
public final class WorkerChild {

  private WorkerChild() {}

  public static void main(String[] args) throws Exception {
    long handleMillis = Long.parseLong(args[5]);
    try (FileChannel out = FileChannel.open(Path.of(args[4]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(args[0]).topic(args[1])
          .groupId(args[2]).name(args[3]).concurrency(4).commitInterval(Duration.ofMillis(200))
          .closeTimeout(Duration.ofSeconds(5))
          .outcomesTopic(args[1] + KafkaReprocessWorker.OUTCOMES_TOPIC_SUFFIX)
          .kafkaProperties(Map.of("session.timeout.ms", 10_000, "heartbeat.interval.ms", 1_000))
          .handler(event -> {
            TimeUnit.MILLISECONDS.sleep(handleMillis);
            byte[] line = (event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII);
            synchronized (out) {
              out.write(ByteBuffer.wrap(line));
            }
            return Outcome.SUCCEEDED;
          })
          .build().start();
      System.out.println("STARTED");
      System.out.flush();
      while (worker.failure().isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
      System.out.println("FAILED " + worker.failure().get());
      System.exit(3);
    }
  }
}
