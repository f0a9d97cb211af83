package dev.reprocess.examples;

import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaHeaders;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dlq list} and {@code dlq replay}: the dead letters of the re-index job's Kafka topic. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead letters of the re-index job (Kafka).",
    subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Replay.class})
final class DlqCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "dlq needs list or replay");
  }

  /** One dead letter as {@code dlq list} shows it. */
  record DeadLetterView(TopicPartition partition, long offset, String job, String assetId, String exceptionClass,
      String message, String attempts, String failedAt) {}

  /** Reads the dead-letter topic from its beginning to its end as of now. */
  static List<DeadLetterView> read(String bootstrap, String deadLetterTopic) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<DeadLetterView> result = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = consumer.partitionsFor(deadLetterTopic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        return result;
      }
      List<TopicPartition> partitions = infos.stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + deadLetterTopic + " to its end took more than 2 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            result.add(view(r));
          }
        }
      }
    }
    return result;
  }

  private static DeadLetterView view(ConsumerRecord<byte[], byte[]> r) {
    String assetId;
    try {
      ReprocessEvent event = EventJson.fromBytes(r.value());
      assetId = event.assetId();
    } catch (RuntimeException e) {
      assetId = "(not an event: " + (r.value() == null ? 0 : r.value().length) + " bytes)";
    }
    return new DeadLetterView(new TopicPartition(r.topic(), r.partition()), r.offset(),
        header(r, KafkaHeaders.DLT_JOB), assetId, header(r, KafkaHeaders.DLT_EXCEPTION_CLASS),
        header(r, KafkaHeaders.DLT_EXCEPTION_MESSAGE), header(r, KafkaHeaders.DLT_ATTEMPTS),
        header(r, KafkaHeaders.DLT_FAILED_AT));
  }

  private static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** {@code dlq list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the dead letters of the re-index job.")
  static final class ListDeadLetters extends BaseCommand {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "Show at most N dead letters, oldest first (default: ${DEFAULT-VALUE}); the counts cover all.")
    int limit;

    @Override
    Set<Backends.Kind> backends() {
      return EnumSet.of(Backends.Kind.KAFKA);
    }

    @Override
    int call(Backends backends, Lifecycle lifecycle) {
      String dlt = connection.topic + dev.reprocess.kafka.KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX;
      List<DeadLetterView> all = read(backends.kafka(), dlt);
      PrintWriter out = out();
      out.printf("%s dead letters in %s%n", Report.number(all.size()), dlt);
      for (DeadLetterView v : all.subList(0, Math.min(limit, all.size()))) {
        out.printf("  %s@%d job=%s asset=%s attempts=%s at=%s: %s: %s%n", v.partition(), v.offset(), v.job(),
            v.assetId(), v.attempts(), v.failedAt(), v.exceptionClass(), v.message());
      }
      if (!all.isEmpty()) {
        Map<String, Long> byError = all.stream().collect(Collectors.groupingBy(
            v -> v.job() + " " + v.exceptionClass(), TreeMap::new, Collectors.counting()));
        byError.forEach((k, n) -> out.printf("  %s x %s%n", Report.number(n), k));
      }
      return EXIT_OK;
    }
  }

  /** {@code dlq replay}: publishes the dead letters again and lets the re-index workers handle them. */
  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Publish the dead letters of the re-index job again, then run its workers until they handled them.")
  static final class Replay extends BaseCommand {
    @Override
    Set<Backends.Kind> backends() {
      return EnumSet.allOf(Backends.Kind.class);
    }

    @Override
    int call(Backends backends, Lifecycle lifecycle) throws Exception {
      Report report = ReindexCommand.replay(backends, connection, lifecycle, progressMode(), out());
      report.print(out());
      return report.exitCode();
    }
  }
}
