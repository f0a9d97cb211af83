package dev.reprocess.kafka;

import dev.reprocess.CheckpointStore;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ShardJobs;
import dev.reprocess.kafka.internal.ShardTopicReader;
import dev.reprocess.kafka.internal.StatusSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a {@link DistributedJob}'s status from any host that reaches its Kafka cluster and its
 * checkpoint store; a monitoring host needs neither a selector nor a place in the hosts' group.
 * Each {@link #read()} reads the shard topic's committed records (one consumer in no group, never
 * committing) and then, per partition holding records, its partition job's checkpoints and lease
 * holder ({@link DistributedJob#partitionJobName}; with a Cassandra store, two reads per partition,
 * 8 partitions at a time on short-lived threads of its own). Reads only: never publishes, joins a group, takes a lease nor writes.
 * Thread-safe; each call opens and closes its own consumer.
 *
 * <pre>{@code
 * DistributedStatusReader status = DistributedStatusReader.builder("reindex-2026")
 *     .bootstrapServers("kafka:9092")
 *     .checkpointStore(store)
 *     .build();
 * DistributedJobStatus s = status.read();
 * log.info("{} of {} shards complete, {} running, {} waiting, {} events final", s.completedShards(),
 *     s.totalShards(), s.runningShards(), s.waitingShards(), s.delivered());
 * }</pre>
 */
public final class DistributedStatusReader {

  /** The most partition jobs whose status is read at once. */
  static final int READS_IN_PARALLEL = 8;

  private final String jobName;
  private final String shardTopic;
  private final CheckpointStore store;
  private final KafkaConnection connection;
  private final Duration apiTimeout;
  private final Clock clock;

  DistributedStatusReader(String jobName, String shardTopic, CheckpointStore store, KafkaConnection connection,
      Duration apiTimeout, Clock clock) {
    this.jobName = jobName;
    this.shardTopic = shardTopic;
    this.store = store;
    this.connection = connection;
    this.apiTimeout = apiTimeout;
    this.clock = clock;
  }

  /** A builder for the status of the distributed job {@code jobName}. */
  public static Builder builder(String jobName) {
    return new Builder(jobName);
  }

  /**
   * The job's status now. A job whose shards were not published yet (no shard topic, or no
   * committed record on it) reads as {@link DistributedJobStatus#published() not published}: 0
   * shards, not complete.
   *
   * @throws dev.reprocess.ReprocessException if Kafka or the checkpoint store cannot be read (the
   *     message names the job and the topic), or the topic cannot be read to its end within the
   *     {@code apiTimeout}
   */
  public DistributedJobStatus read() {
    Map<String, ShardTopicReader.Published> records = ShardTopicReader.records(connection, jobName, shardTopic,
        apiTimeout);
    Instant readAt = clock.instant();
    Set<Integer> partitions = records.values().stream().map(ShardTopicReader.Published::partition)
        .collect(Collectors.toCollection(TreeSet::new));
    Map<Integer, StatusSummary.PartitionState> read = readInParallel(partitions, partition -> {
      String partitionJob = ShardJobs.partitionJob(jobName, partition);
      return new StatusSummary.PartitionState(store.load(partitionJob), store.leaseHolder(partitionJob));
    });
    Map<String, List<String>> shardIds = new LinkedHashMap<>();
    records.forEach((id, r) -> shardIds.put(id, r.shardIds()));
    return StatusSummary.of(jobName, shardTopic, shardIds, id -> read.get(records.get(id).partition()), readAt);
  }

  /**
   * Each partition job's state, at most {@value #READS_IN_PARALLEL} read at once (each is two
   * round trips to the store).
   */
  private Map<Integer, StatusSummary.PartitionState> readInParallel(Set<Integer> shardIds,
      Function<Integer, StatusSummary.PartitionState> readOne) {
    Map<Integer, StatusSummary.PartitionState> read = new ConcurrentHashMap<>();
    if (shardIds.isEmpty()) {
      return read;
    }
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(READS_IN_PARALLEL, shardIds.size()), r -> {
      Thread t = new Thread(r, "reprocess-" + jobName + "-status-" + threadNo.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      CompletableFuture.allOf(shardIds.stream()
          .map(id -> CompletableFuture.runAsync(() -> read.put(id, readOne.apply(id)), pool))
          .toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw e;
    } finally {
      pool.shutdownNow();
    }
    return read;
  }

  /** Builds a {@link DistributedStatusReader}. Not thread-safe. */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private final String jobName;
    private CheckpointStore checkpointStore;
    private String shardTopic;
    private Duration apiTimeout = KafkaTopics.DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder(String jobName) {
      this.jobName = jobName;
    }

    /** The store the job's hosts checkpoint in (their {@code checkpointStore}). Required. */
    public Builder checkpointStore(CheckpointStore checkpointStore) {
      this.checkpointStore = checkpointStore;
      return this;
    }

    /**
     * The shard topic, if the hosts set one. Default {@code <job>}{@value
     * DistributedJob#SHARD_TOPIC_SUFFIX}, as {@link DistributedJob.Builder#shardTopic}.
     */
    public Builder shardTopic(String shardTopic) {
      this.shardTopic = shardTopic;
      return this;
    }

    /** Bound of each call to the cluster, and of reading the shard topic to its end: positive, at most 1 h. Default 30 s. */
    public Builder apiTimeout(Duration apiTimeout) {
      this.apiTimeout = apiTimeout;
      return this;
    }

    /** The clock of {@link DistributedJobStatus#readAt()} and of a lease's liveness. Default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The reader.
     *
     * @throws IllegalArgumentException if the job name is blank, the checkpoint store or the
     *     bootstrap servers are missing, or the timeout is out of range (the message names the
     *     option, the value and the rule)
     */
    public DistributedStatusReader build() {
      if (jobName == null || jobName.isBlank()) {
        throw new IllegalArgumentException("jobName is '" + jobName + "': it must be the distributed job's name");
      }
      if (checkpointStore == null) {
        throw new IllegalArgumentException("checkpointStore is not set: it must be the store the job's hosts "
            + "checkpoint in");
      }
      DistributedBuilderChecks.duration("apiTimeout", apiTimeout, Duration.ofHours(1));
      Objects.requireNonNull(clock, "clock");
      String topic = shardTopic != null ? shardTopic : jobName + DistributedJob.SHARD_TOPIC_SUFFIX;
      KafkaConnection connection = connection();
      connection.consumerConfig(null, apiTimeout, jobName); // bootstrap servers and the host's properties checked now
      return new DistributedStatusReader(jobName, topic, checkpointStore, connection, apiTimeout, clock);
    }
  }
}
