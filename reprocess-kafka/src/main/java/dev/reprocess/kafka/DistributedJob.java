package dev.reprocess.kafka;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.kafka.internal.DistributedSettings;
import dev.reprocess.kafka.internal.HostSelection;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ShardHost;
import dev.reprocess.kafka.internal.ShardJobs;
import dev.reprocess.kafka.internal.ShardPublisher;
import dev.reprocess.kafka.internal.ShardRecord;
import dev.reprocess.kafka.internal.ShardTopicReader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job run across many selection hosts, with Kafka as the coordinator: the job's shards are
 * published once to a shard topic ({@code <job>.shards} by default, one record per shard keyed by
 * shard id, or per group of {@link Builder#shardsPerRecord} shards), and every host joins one
 * consumer group on it ({@code <job>.hosts}). A host reads the records of the partitions the group
 * assigns it and runs their shards as one job (a <em>host job</em>) built from the host's {@link
 * Builder#jobOptions job options}: one reader pool, handler pool and checkpoint writer for all of
 * them, as one ordinary job over those shards. Each partition has a job of its own in the checkpoint
 * store ({@link #partitionJobName}): its {@link dev.reprocess.JobLease lease}, with its fencing
 * token, and its shards' checkpoints; a host job holds the leases of its partitions and writes each
 * shard's checkpoints under its partition's job. A host commits a record once its shards are
 * complete. A host that dies: the group hands its partitions to the others after the consumer's
 * {@code session.timeout.ms} (Kafka's default 45 s), and they resume its shards from their
 * checkpoints once its partition leases expired ({@code leaseTimeToLive}, default 30 s, counted from
 * its last renewal). A host added takes a share of the partitions at the next rebalance; the host
 * that gives a partition up stops its host job gracefully first (their in-flight events finish;
 * whole pages are checkpointed, so the handled part of the pages in flight is delivered again by
 * the next owner) and starts another over the partitions it keeps; partitions added to a host
 * join its host job the same way, once one of their leases is free.
 *
 * <pre>{@code
 * DistributedJob job = DistributedJob.builder("backfill-sizes")
 *     .bootstrapServers("kafka:9092")
 *     .selector(selector)
 *     .checkpointStore(CassandraCheckpointStore.builder(session).build())
 *     .jobOptions(b -> b.handler(handler).pageSize(500).maxEventsPerSecond(200))
 *     .build();
 * DistributedJob.HostReport report = job.run(); // on every host
 * }</pre>
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li><b>Publishing is idempotent.</b> {@link #publishShards()} creates the topic if missing and
 *       writes the records in one Kafka transaction, unless the topic holds the shards of this
 *       selection already (same {@linkplain AssetSelector#selectionDefinition() definition}, or
 *       same shard ids when the selector has none): so every host may call it. A topic holding the
 *       shards of another selection is refused.
 *   <li><b>At least once, one runner per shard.</b> A shard runs under its partition's lease: two
 *       hosts never run one shard at once, and a host that lost a partition (frozen past its
 *       lease) is fenced: none of its later checkpoints of that partition's shards land. After a
 *       host dies, the shards' next runner delivers again at most the pages the dead host had in
 *       flight and those final since its last checkpoint write.
 *   <li><b>Options per host.</b> The options of {@link Builder#jobOptions} apply to each host job,
 *       and a host runs one at a time: {@code concurrency}, {@code maxEventsPerSecond} and the rest
 *       bound what one host does. Its {@code maxShards} bounds the whole selection (a host may hold
 *       every partition). The selector, checkpoint store,
 *       {@code restart} (false), {@code shardsInParallel} ({@link Builder#shardsInParallel}) and
 *       {@code onRunningElsewhere} ({@code TAKE_OVER_EXPIRED}: the host tries again every second
 *       while another host holds one of the partitions' leases) are the distributed job's. Meters
 *       and listeners are the host job's, tagged and named {@code <job>.host-<n>} ({@code n} 1 for
 *       the first host of the job in a JVM), the same for every host job of a host.
 *   <li><b>The end.</b> {@link #runHost()} returns once the group has committed every record of the
 *       shard topic (every shard complete, on whichever host), on {@link #stop()}, or when a host
 *       job fails (the host then leaves the group, and its partitions go to other hosts).
 * </ul>
 *
 * <p>Immutable settings; one host run at a time per object. The selector is the host's: it is
 * listed once per call ({@link AssetSelector#shards()}) and closed at the end of {@link #runHost()};
 * the checkpoint store is never closed.
 */
public final class DistributedJob {
  private static final Logger log = LoggerFactory.getLogger(DistributedJob.class);
  /** Default partitions of the shard topic when created: {@value}. */
  public static final int DEFAULT_PARTITIONS = 12;
  /** Suffix of the default shard topic: {@value}. */
  public static final String SHARD_TOPIC_SUFFIX = ".shards";
  /** Suffix of the default consumer group of the hosts: {@value}. */
  public static final String GROUP_SUFFIX = ".hosts";
  /** Default {@link Builder#stopTimeout}: 60 s. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);
  /** Most shards one record of the shard topic carries ({@link Builder#shardsPerRecord}): {@value}. */
  public static final int MAX_SHARDS_PER_RECORD = 10_000;
  /** Default {@link Builder#publishTimeout}: 2 minutes. */
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofMinutes(2);

  private final DistributedSettings settings;
  private volatile ShardHost host;

  private DistributedJob(DistributedSettings settings) {
    this.settings = settings;
  }

  /** A builder of the job named {@code name} ({@value ReprocessJob#NAME_PATTERN}, at most 150 characters). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * The name of the job of one partition of the shard topic, which keys the checkpoints and the
   * lease of the shards whose records that partition holds, in the checkpoint store: {@code
   * <job>.p<partition>}. Which partition holds a record is Kafka's choice (the murmur2 hash of the
   * record's key, its first shard's id or {@code <first shard id>..<last shard id>}); {@link
   * DistributedStatusReader} reads it from the topic.
   */
  public static String partitionJobName(String jobName, int partition) {
    return ShardJobs.partitionJob(jobName, partition);
  }

  /** The job's name. */
  public String name() {
    return settings.jobName();
  }

  /** The shard topic. */
  public String shardTopic() {
    return settings.shardTopic();
  }

  /** The consumer group of the hosts. */
  public String groupId() {
    return settings.groupId();
  }

  /**
   * Publishes the job's shards to the shard topic unless it holds them already (see the class
   * comment); lists the selector's shards to do so.
   *
   * @return true if this call published them, false if they were there already
   * @throws IllegalStateException if the topic holds the shards of another selection
   * @throws IllegalArgumentException if the selector lists more shards than the job options'
   *     {@code maxShards}, before anything is written
   * @throws dev.reprocess.ReprocessException if Kafka or the selector's backend cannot be reached,
   *     or if other publishers kept fencing this one for {@link Builder#publishTimeout} (the message
   *     names the job, the topic and how long it tried)
   */
  public boolean publishShards() {
    List<Shard> shards = checkedShards();
    return new ShardPublisher(settings).publish(shards, fingerprint(shards));
  }

  /**
   * Publishes the shards ({@link #publishShards()}) and runs this host until the job is complete:
   * what each host of the job calls.
   */
  public HostReport run() {
    publishShards();
    return runHost();
  }

  /**
   * Runs this host: checks the selection against the one stored under the job's name and stores
   * it (once per host: the host jobs check against it without reading or writing), joins the
   * group, runs the shards of its partitions, and returns once every shard of the job is complete
   * (on any host), on {@link #stop()} or an interrupt of the calling thread (as {@code stop()}
   * does, then with the interrupt flag set again), or on a failure. Closes the selector at the end. A selector
   * that lists no shard: returns {@code COMPLETED} at once, with a warning, without joining.
   *
   * @throws IllegalArgumentException if the selector lists more shards than the job options'
   *     {@code maxShards}, before joining
   * @throws IllegalStateException if this object runs a host already, or if the selection differs
   *     from the stored one and the job options do not set {@code acceptChangedSelection}
   */
  public HostReport runHost() {
    synchronized (this) {
      if (host != null) {
        throw new IllegalStateException("job '" + name() + "' runs a host already in this object");
      }
      List<Shard> shards = checkedShards();
      if (shards.isEmpty()) {
        // No record to wait for: the group would never commit one, so the job could never end.
        log.warn("job '{}': 0 assets selected by {} (it listed no shard): this host ends at once. If the table or"
            + " index holds data, the selection does not match it: check the window and the asset types",
            name(), settings.selector().describe());
        settings.selector().close();
        return new HostReport(JobStatus.COMPLETED, 0, 0, 0, 0, 0, 0, null);
      }
      String definition = settings.selector().selectionDefinition();
      Map<String, Object> config = ShardTopicReader.consumerConfig(settings.connection(), settings.groupId(),
          settings.apiTimeout(), settings.groupId() + "-" + ProcessHandle.current().pid());
      CheckpointStore store = HostSelection.verify(settings.checkpointStore(), name(), definition,
          settings.probeJob(definition).acceptChangedSelection());
      host = new ShardHost(settings, ShardRecord.fingerprint(definition, shards, settings.shardsPerRecord()),
          definition, store, shards,
          KafkaConnection.created(config, () -> new KafkaConsumer<byte[], byte[]>(config)));
    }
    try {
      return host.run();
    } finally {
      try {
        settings.selector().close();
      } finally {
        host = null;
      }
    }
  }

  /**
   * The job's status, from any host: read as a {@link DistributedStatusReader} with this job's
   * connection, shard topic, checkpoint store and {@code apiTimeout} reads it. Reads only.
   *
   * @throws dev.reprocess.ReprocessException if Kafka or the checkpoint store cannot be read
   */
  public DistributedJobStatus status() {
    return new DistributedStatusReader(name(), settings.shardTopic(), settings.checkpointStore(),
        settings.connection(), settings.apiTimeout(), Clock.systemUTC()).read();
  }

  /** Stops the running host, if any: its shards stop checkpointed and it leaves the group. */
  public void stop() {
    ShardHost running = host;
    if (running != null) {
      running.stop();
    }
  }

  /**
   * The selector's shards, at most the job options' {@code maxShards}: a host job may run every
   * shard of the selection (a host that holds every partition).
   */
  private List<Shard> checkedShards() {
    List<Shard> shards = settings.selector().shards();
    int max = settings.probeJob(null).maxShards();
    if (shards.size() > max) {
      throw new IllegalArgumentException("job '" + name() + "': the selector lists " + shards.size()
          + " shards, more than maxShards (" + max + ") of the job options: a host may run them all in one host job;"
          + " raise maxShards in jobOptions (at most " + ReprocessJob.MAX_MAX_SHARDS + ") or narrow the selection");
    }
    return shards;
  }

  private String fingerprint(List<Shard> shards) {
    return ShardRecord.fingerprint(settings.selector().selectionDefinition(), shards, settings.shardsPerRecord());
  }

  /**
   * What one host did.
   *
   * @param status {@code COMPLETED} once every shard of the job is complete (on any host), {@code
   *     CANCELLED} when {@link #stop()} or an interrupt of its thread ended the host before, {@code FAILED}
   *     on a failure
   * @param hostJobsRun host jobs this host ran to their end (completed, stopped or failed): one, and one
   *     more for each rebalance that changed its partitions (and for each start refused because
   *     another host took a lease between the host's look at it and its acquisition)
   * @param shardsCompleted shards of the records this host committed (or found complete), counting
   *     each shard of a group
   * @param selected assets this host's host jobs selected; likewise succeeded, skipped and
   *     dead-lettered events
   * @param failureCause why the host failed, or null
   */
  public record HostReport(JobStatus status, int hostJobsRun, int shardsCompleted, long selected, long succeeded,
      long skipped, long deadLettered, Throwable failureCause) {}

  /** Builds a {@link DistributedJob}. Mutable and not thread-safe. */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private final String name;
    private AssetSelector selector;
    private CheckpointStore checkpointStore;
    private Consumer<ReprocessJob.Builder> jobOptions;
    private String shardTopic;
    private int partitions = DEFAULT_PARTITIONS;
    private int replicationFactor;
    private String groupId;
    private int shardsInParallel = ReprocessJob.DEFAULT_SHARDS_IN_PARALLEL;
    private int shardsPerRecord = 1;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    private Duration apiTimeout = KafkaTopics.DEFAULT_TIMEOUT;
    private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;

    private Builder(String name) {
      this.name = name;
    }

    /** The selection, listed by every host; required. */
    public Builder selector(AssetSelector selector) {
      this.selector = selector;
      return this;
    }

    /**
     * Where the shards' checkpoints and leases go; required, and shared by the hosts (a Cassandra
     * store), or a dead host's shards start over elsewhere and run unfenced.
     */
    public Builder checkpointStore(CheckpointStore checkpointStore) {
      this.checkpointStore = checkpointStore;
      return this;
    }

    /**
     * Sets the options of each host job on a fresh {@link ReprocessJob.Builder}: the handler or
     * sink (required), paging, throttle, concurrency, retries, dead letters, meters, listeners;
     * called once per host job and once by {@link #build()} to check them. Its selector,
     * checkpoint store, {@code restart}, {@code shardsInParallel} and {@code onRunningElsewhere}
     * are overridden (see the class comment).
     */
    public Builder jobOptions(Consumer<ReprocessJob.Builder> jobOptions) {
      this.jobOptions = jobOptions;
      return this;
    }

    /** The shard topic; default {@code <job>}{@value DistributedJob#SHARD_TOPIC_SUFFIX}. */
    public Builder shardTopic(String shardTopic) {
      this.shardTopic = shardTopic;
      return this;
    }

    /**
     * Partitions of the shard topic when it is created: 1 to 10,000; default {@value
     * DistributedJob#DEFAULT_PARTITIONS}. More hosts than partitions leave hosts idle.
     */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /**
     * Replication factor of the shard topic when it is created; default 0: 3, or the number of
     * brokers when fewer.
     */
    public Builder replicationFactor(int replicationFactor) {
      this.replicationFactor = replicationFactor;
      return this;
    }

    /** The consumer group of the hosts; default {@code <job>}{@value DistributedJob#GROUP_SUFFIX}. */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Shards one host reads at once (its host job's {@code shardsInParallel}): 1 to {@value
     * ReprocessJob#MAX_SHARDS_IN_PARALLEL}; default {@value ReprocessJob#DEFAULT_SHARDS_IN_PARALLEL}.
     */
    public Builder shardsInParallel(int shardsInParallel) {
      this.shardsInParallel = shardsInParallel;
      return this;
    }

    /**
     * Shards per record of the shard topic: 1 to {@value #MAX_SHARDS_PER_RECORD}; default 1.
     * Consecutive shards in the selector's order form a record, which lands in one partition and
     * is committed once all its shards are complete; each shard is still checkpointed on its own.
     * Grouping makes fewer records and commits for jobs of very many small shards; it does not
     * change a host's cost per id (one host job runs the shards of all its partitions). The grouping
     * is part of the job's shard topic, so every host of a job must set the same value (a host
     * with another is refused).
     */
    public Builder shardsPerRecord(int shardsPerRecord) {
      this.shardsPerRecord = shardsPerRecord;
      return this;
    }

    /**
     * How long a host waits for its host jobs to stop when the group takes partitions away or the
     * host stops: positive, at most 5 minutes (a rebalance waits for it); default 60 s.
     */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
      return this;
    }

    /** Bound of each call to the cluster: positive; default 30 s. */
    public Builder apiTimeout(Duration apiTimeout) {
      this.apiTimeout = apiTimeout;
      return this;
    }

    /**
     * How long {@link DistributedJob#publishShards()} keeps trying while other hosts' publishers
     * fence it (they share a transactional id, so hosts that start together abort each other's
     * transaction): after each fenced attempt it waits a random, growing time (100 ms doubling up
     * to 5 s, each 50% to 150% of that), looks whether another host committed the shards, and
     * tries again if not. Positive, at most 1 hour; default 2 minutes.
     */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
      return this;
    }

    /**
     * Checks every option and builds the job; does no I/O.
     *
     * @throws IllegalArgumentException naming the first bad option, its value and the rule
     */
    public DistributedJob build() {
      DistributedBuilderChecks.check(name, selector, checkpointStore, jobOptions, partitions, replicationFactor,
          shardsInParallel, shardsPerRecord, stopTimeout, apiTimeout, publishTimeout);
      String topic = shardTopic != null ? shardTopic : name + SHARD_TOPIC_SUFFIX;
      TopicSpec.of(topic, partitions, Math.max(1, replicationFactor)); // the topic name's rule
      String group = groupId != null ? groupId : name + GROUP_SUFFIX;
      if (group.isBlank()) {
        throw new IllegalArgumentException("groupId is '" + group + "': it must not be blank");
      }
      KafkaConnection connection = connection();
      if (connection.hostProducer() != null) {
        throw new IllegalArgumentException("producer is set: a distributed job publishes its shards in a Kafka "
            + "transaction with a producer of its own; give bootstrapServers/kafkaProperties instead");
      }
      connection.consumerConfig(group, apiTimeout, group);
      connection.producerConfig(apiTimeout, group);
      DistributedSettings settings = new DistributedSettings(name, selector, checkpointStore, jobOptions, topic,
          partitions, (short) replicationFactor, group, shardsInParallel, shardsPerRecord, stopTimeout, apiTimeout,
          publishTimeout, connection);
      try {
        settings.probeJob(null);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("jobOptions: " + e.getMessage(), e);
      }
      return new DistributedJob(settings);
    }
  }
}
