package dev.reprocess.kafka.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobListener;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RunningElsewhere;
import dev.reprocess.Shard;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A distributed job's checked settings, as {@code DistributedJob.Builder} built them: what the
 * publisher and the host read, never the builder.
 *
 * @param jobName the distributed job's name
 * @param selector the host's selector
 * @param checkpointStore where the partition jobs checkpoint, with their leases
 * @param jobOptions the options of every host job (handler or sink, paging, throttle...)
 * @param shardTopic the shard topic's name
 * @param partitions the shard topic's partitions when it is created
 * @param replicationFactor its replication factor when created, or 0 for up to 3 (the brokers' count)
 * @param groupId the hosts' consumer group
 * @param shardsInParallel shards one host job reads at once
 * @param shardsPerRecord shards per record of the shard topic
 * @param stopTimeout how long a host waits for its shards to stop when it loses them or stops
 * @param apiTimeout bound of each call to the cluster
 * @param publishTimeout how long publishing the shards keeps trying while other publishers fence it
 * @param connection the Kafka connection
 */
public record DistributedSettings(String jobName, AssetSelector selector, CheckpointStore checkpointStore,
    Consumer<ReprocessJob.Builder> jobOptions, String shardTopic, int partitions, short replicationFactor,
    String groupId, int shardsInParallel, int shardsPerRecord, Duration stopTimeout, Duration apiTimeout, Duration publishTimeout,
    KafkaConnection connection) {

  /** Longest distributed job name, so that a host or partition job's name fits {@link ReprocessJob#NAME_PATTERN}. */
  public static final int MAX_NAME_LENGTH = 150;

  /**
   * A host job: the host's options, then its own name and selector over {@code shards}, the
   * checkpoint store, no restart, {@code shardsInParallel} the host's, and a live lease elsewhere
   * failing it at once (the host retries).
   *
   * @param name the host job's name ({@link ShardJobs#hostJob})
   * @param shards the shards it runs, in the order to run them
   * @param definition the host's selector's selection definition, may be null
   * @param store where it checkpoints: a {@link PartitionCheckpoints} view of the host's store
   * @param listener the host's own listener, added after those of the options; may be null
   * @throws IllegalArgumentException as {@link ReprocessJob.Builder#build()}
   */
  public ReprocessJob hostJob(String name, List<Shard> shards, String definition, CheckpointStore store,
      JobListener listener) {
    ReprocessJob.Builder builder = ReprocessJob.builder(name);
    jobOptions.accept(builder);
    if (listener != null) {
      builder.listener(listener);
    }
    return builder.selector(new RecordSelector(selector, shards, definition))
        .checkpointStore(store)
        .restart(false)
        .onRunningElsewhere(RunningElsewhere.TAKE_OVER_EXPIRED)
        .shardsInParallel(shardsInParallel)
        .build();
  }

  /** A host job of one probe shard in {@link #checkpointStore}: what the builder checks the options with. */
  public ReprocessJob probeJob(String definition) {
    return hostJob(ShardJobs.hostJob(jobName, 0), List.of(Shard.of("probe", null)), definition, checkpointStore, null);
  }
}
