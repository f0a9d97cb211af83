package dev.reprocess.examples;

import dev.reprocess.EventHandler;
import dev.reprocess.kafka.KafkaJobCompletion;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.KafkaTopics;
import dev.reprocess.kafka.TopicSpec;
import dev.reprocess.kafka.WorkerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka side of the re-index job: the events topic with its retry and dead-letter topics,
 * {@value #WORKERS} in-process {@link KafkaReprocessWorker}s of one consumer group, and the wait
 * until the group has handled everything published ({@link KafkaJobCompletion}: consumer lag 0 on
 * the events and retry topics; and nothing pending in the workers). Closing stops the workers (running handlers finish,
 * offsets are committed); closing twice is harmless.
 */
final class ReindexPipeline implements AutoCloseable {
  static final int WORKERS = 2;
  static final int PARTITIONS = 4;
  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

  private final String bootstrap;
  private final String topic;
  private final String groupId;
  private final List<KafkaReprocessWorker> workers = new ArrayList<>();
  private final Admin admin;
  private final KafkaJobCompletion completion;
  private boolean closed;

  ReindexPipeline(String bootstrap, String topic, String groupId) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.groupId = groupId;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    this.completion = KafkaJobCompletion.builder().bootstrapServers(bootstrap).topic(topic).groupId(groupId).build();
  }

  String topic() {
    return topic;
  }

  String retryTopic() {
    return topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX;
  }

  String deadLetterTopic() {
    return topic + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX;
  }

  String groupId() {
    return groupId;
  }

  /** Creates the events, retry and dead-letter topics unless they exist, and waits until they answer. */
  void ensureTopics() {
    KafkaTopics.ensureTopics(admin, List.of(TopicSpec.of(topic, PARTITIONS, 1),
        TopicSpec.of(retryTopic(), PARTITIONS, 1), TopicSpec.of(deadLetterTopic(), 1, 1)), TOPIC_TIMEOUT);
  }

  /** Starts the workers, each running {@code handler}. */
  void startWorkers(EventHandler handler, int concurrencyPerWorker) {
    for (int i = 1; i <= WORKERS; i++) {
      workers.add(KafkaReprocessWorker.builder()
          .bootstrapServers(bootstrap)
          .topic(topic)
          .groupId(groupId)
          .name(groupId + "-" + i)
          .handler(handler)
          .concurrency(concurrencyPerWorker)
          .build()
          .start());
    }
  }

  /** The workers' counters, added up. */
  WorkerStats stats() {
    long[] s = new long[12];
    for (KafkaReprocessWorker w : workers) {
      WorkerStats x = w.stats();
      long[] v = {x.received(), x.succeeded(), x.skipped(), x.failedAttempts(), x.timedOut(), x.retriedInPlace(),
          x.sentToRetryTopic(), x.deadLettered(), x.poison(), x.pending(), x.commits(), x.deadLetterFailed()};
      for (int i = 0; i < s.length; i++) {
        s[i] += v[i];
      }
    }
    return new WorkerStats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
  }

  /** The first worker failure, if a worker stopped on its own. */
  Optional<Throwable> workerFailure() {
    return workers.stream().map(KafkaReprocessWorker::failure).flatMap(Optional::stream).findFirst();
  }

  /**
   * The group's lag: records of the events and retry topics not yet committed by the group, that
   * is not yet final (see {@link KafkaJobCompletion}).
   */
  long lag() {
    return completion.lag();
  }

  /**
   * Waits until the lag is 0 and no worker has anything pending, calling {@code onTick} with the
   * lag about every 500 ms.
   *
   * @return true when drained, false when {@code timeout} passed first or a worker failed
   */
  boolean awaitDrained(Duration timeout, Consumer<Long> onTick) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (workerFailure().isPresent()) {
        return false;
      }
      long lag = lag();
      onTick.accept(lag);
      if (lag == 0 && stats().pending() == 0) {
        return true;
      }
      Thread.sleep(500);
    }
    return false;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (KafkaReprocessWorker w : workers) {
      w.close();
    }
    completion.close();
    admin.close(Duration.ofSeconds(10));
  }
}
