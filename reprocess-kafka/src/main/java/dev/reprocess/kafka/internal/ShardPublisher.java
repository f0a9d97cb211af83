package dev.reprocess.kafka.internal;

import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import dev.reprocess.kafka.KafkaTopics;
import dev.reprocess.kafka.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ConcurrentTransactionsException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a distributed job's shards to its shard topic once: creates the topic if missing, and
 * writes one record per shard (or per group of {@code shardsPerRecord} consecutive shards, {@link
 * ShardRecord#of}), in one Kafka transaction (all of them or none), unless the topic
 * already holds a committed record of the same selection. Publishers share a transactional id, so
 * a publisher that starts while another's transaction is open aborts it (Kafka fences the older
 * one, which waits a random and growing time, looks again and finds the records, or publishes them
 * itself; see {@link #publish}). A topic holding records of another selection is refused.
 */
public final class ShardPublisher {
  private static final Logger log = LoggerFactory.getLogger(ShardPublisher.class);

  /** What a transactional producer reports when another producer of its transactional id started. */
  static final List<Class<? extends KafkaException>> FENCED = List.of(ProducerFencedException.class,
      InvalidProducerEpochException.class, InvalidTxnStateException.class, InvalidPidMappingException.class,
      TransactionAbortedException.class, TransactionAbortableException.class, ConcurrentTransactionsException.class);

  private final DistributedSettings settings;

  public ShardPublisher(DistributedSettings settings) {
    this.settings = settings;
  }

  /**
   * Publishes the shards unless the topic holds them already. An attempt that another publisher
   * fenced (or that failed for a reason that passes with time) is followed by a jittered
   * exponential wait ({@link PublishBackoff}), a look at the topic (read_committed: the other
   * publisher may have committed them), and, if they are still missing, another attempt, until
   * {@code publishTimeout}.
   *
   * @return true if this call published them, false if they were there
   * @throws IllegalStateException if the topic holds shards of another selection
   * @throws ReprocessException if Kafka cannot be reached or refuses the writes, or if no attempt
   *     got through within {@code publishTimeout}
   */
  public boolean publish(List<Shard> shards, String fingerprint) {
    ensureTopic();
    PublishBackoff backoff = PublishBackoff.startingNow(settings.publishTimeout());
    boolean failedBefore = false;
    while (true) {
      try {
        // After a failed attempt, look before fencing anyone: another publisher may have committed them.
        if (failedBefore && alreadyPublished(fingerprint)) {
          logFound(shards);
          return false;
        }
        return publishOnce(shards, fingerprint);
      } catch (KafkaException e) {
        if (!worthAnotherAttempt(e)) {
          throw e;
        }
        Duration wait = backoff.afterFailedAttempt().orElseThrow(() -> gaveUp(shards, backoff, e));
        log.info("job '{}': publishing its shards to topic '{}' failed ({}), another publisher of them may have "
            + "started; looking again in {} ms", settings.jobName(), settings.shardTopic(), e.toString(), wait.toMillis());
        sleep(wait);
        failedBefore = true;
      }
    }
  }

  /**
   * One attempt: fences any earlier publisher, looks, and publishes in one transaction if missing.
   * A failed attempt's producer is closed at once, without waiting for its requests (see {@link
   * #close}).
   */
  private boolean publishOnce(List<Shard> shards, String fingerprint) {
    KafkaProducer<byte[], byte[]> producer = transactionalProducer();
    boolean completed = false;
    try {
      producer.initTransactions(); // aborts an open transaction of another publisher: the look below is final
      if (alreadyPublished(fingerprint)) {
        logFound(shards);
        completed = true;
        return false;
      }
      producer.beginTransaction();
      List<ShardRecord> records = ShardRecord.of(settings.jobName(), fingerprint, shards, settings.shardsPerRecord());
      for (ShardRecord r : records) {
        producer.send(new ProducerRecord<>(settings.shardTopic(), r.key(), r.value()));
      }
      producer.commitTransaction();
      completed = true;
      log.info("job '{}': published {} shards in {} records to topic '{}'", settings.jobName(), shards.size(),
          records.size(), settings.shardTopic());
      return true;
    } finally {
      close(producer, completed);
    }
  }

  /**
   * Closes an attempt's producer: gracefully after a completed attempt (nothing is left in flight),
   * at once after a failed one. A fenced producer can still have a produce request in flight that
   * ends only at the request's timeout ({@code request.timeout.ms}, 30 s by default), and a
   * graceful {@code close()} waits for it and only then aborts the transaction, which the
   * coordinator refuses anyway (the fencing publisher's {@code initTransactions()} aborted it
   * already). Nothing a failed attempt still holds is wanted: a transaction it left open is aborted
   * by the next attempt's {@code initTransactions()} or by the coordinator after {@code
   * transaction.timeout.ms}.
   */
  private static void close(KafkaProducer<byte[], byte[]> producer, boolean completed) {
    if (completed) {
      producer.close();
    } else {
      producer.close(Duration.ZERO);
    }
  }

  /**
   * Fenced by another publisher of the job (its initTransactions() bumped the epoch and aborted
   * this one's transaction: depending on the moment, the producer reports any of {@link
   * #FENCED}), or a failure that passes with time (a timeout...). In the cause chain too.
   */
  static boolean worthAnotherAttempt(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      Throwable current = t;
      if (current instanceof RetriableException || FENCED.stream().anyMatch(c -> c.isInstance(current))
          || brokerFailedUnexpectedly(current)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The broker answered a transaction step with {@code UNKNOWN_SERVER_ERROR} (seen on {@code
   * EndTxn} while publishers of one job fenced each other): the producer reports it as a plain
   * exception with the error's message. The next attempt fences, looks and publishes again.
   */
  private static boolean brokerFailedUnexpectedly(Throwable t) {
    String unknown = Errors.UNKNOWN_SERVER_ERROR.message();
    return t instanceof UnknownServerException
        || (t instanceof KafkaException && t.getMessage() != null && t.getMessage().endsWith(unknown));
  }

  private ReprocessException gaveUp(List<Shard> shards, PublishBackoff backoff, KafkaException last) {
    return new ReprocessException("job '" + settings.jobName() + "': could not publish its " + shards.size()
        + " shards to topic '" + settings.shardTopic() + "' within publishTimeout " + backoff.timeout() + ": tried "
        + backoff.failedAttempts() + " times for " + backoff.elapsed().toMillis() + " ms, each fenced by another "
        + "publisher of the job (they share transactional id '" + transactionalId() + "') or failed; last: " + last,
        last);
  }

  private void logFound(List<Shard> shards) {
    log.info("job '{}': its {} shards are already in topic '{}'", settings.jobName(), shards.size(),
        settings.shardTopic());
  }

  private void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("job '" + settings.jobName() + "': interrupted while publishing its shards", e);
    }
  }

  private void ensureTopic() {
    try (Admin admin = Admin.create(settings.connection().adminConfig(settings.apiTimeout(),
        settings.groupId() + "-publisher-admin"))) {
      short replication = settings.replicationFactor();
      if (replication == 0) {
        replication = (short) Math.min(3, brokers(admin));
      }
      KafkaTopics.ensureTopics(admin, List.of(new TopicSpec(settings.shardTopic(), settings.partitions(), replication,
          Map.of("retention.ms", "-1"))), settings.apiTimeout());
    }
  }

  private int brokers(Admin admin) {
    try {
      return admin.describeCluster().nodes().get(settings.apiTimeout().toMillis(), TimeUnit.MILLISECONDS).size();
    } catch (ExecutionException | TimeoutException e) {
      throw new ReprocessException("job '" + settings.jobName() + "': cannot describe the Kafka cluster: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("job '" + settings.jobName() + "': interrupted", e);
    }
  }

  private KafkaProducer<byte[], byte[]> transactionalProducer() {
    Map<String, Object> config = settings.connection().producerConfig(settings.apiTimeout(),
        settings.groupId() + "-publisher");
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
    return KafkaConnection.created(config, () -> new KafkaProducer<>(config));
  }

  private String transactionalId() {
    return settings.groupId() + ".publisher";
  }

  /**
   * Whether the topic holds a committed record of this selection; refuses one of another. Reads
   * the first committed record of each partition: one publish fills every partition it reaches
   * with records of one selection.
   */
  private boolean alreadyPublished(String fingerprint) {
    Set<String> fingerprints = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : firstRecords()) {
      fingerprints.add(ShardRecord.parse(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset()).fingerprint());
    }
    boolean found = fingerprints.remove(fingerprint);
    if (!fingerprints.isEmpty()) {
      throw new IllegalStateException("job '" + settings.jobName() + "': topic '" + settings.shardTopic()
          + "' holds the shards of another selection or grouping (fingerprint " + fingerprints + ", this one "
          + fingerprint + " with shardsPerRecord " + settings.shardsPerRecord() + "): a changed selection or "
          + "shardsPerRecord never resumes old shards; delete the topic and the job's checkpoints, or use another job "
          + "name");
    }
    return found;
  }

  /** The first committed record of each partition of the shard topic that has one. */
  private List<ConsumerRecord<byte[], byte[]>> firstRecords() {
    Map<String, Object> config = ShardTopicReader.consumerConfig(settings.connection(), null, settings.apiTimeout(),
        settings.groupId() + "-publisher-reader");
    Map<TopicPartition, ConsumerRecord<byte[], byte[]>> first = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaConnection.created(config, () -> new KafkaConsumer<>(config))) {
      Set<TopicPartition> partitions = consumer.partitionsFor(settings.shardTopic(), settings.apiTimeout()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, settings.apiTimeout());
      long deadline = System.nanoTime() + settings.apiTimeout().toNanos();
      while (partitions.stream().anyMatch(tp -> !first.containsKey(tp) && consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new ReprocessException("job '" + settings.jobName() + "': could not read topic '"
              + settings.shardTopic() + "' within " + settings.apiTimeout());
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r);
        }
      }
    }
    return List.copyOf(first.values());
  }
}
