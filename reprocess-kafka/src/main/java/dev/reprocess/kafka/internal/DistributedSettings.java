package dev.reprocess.kafka.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
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
 * @param checkpointStore where the shard jobs checkpoint, with their leases
 * @param jobOptions the host's options of every shard job (handler or sink, paging, throttle...)
 * @param shardTopic the shard topic's name
 * @param partitions the shard topic's partitions when it is created
 * @param replicationFactor its replication factor when created, or 0 for up to 3 (the brokers' count)
 * @param groupId the hosts' consumer group
 * @param shardsInParallel shard jobs (records) one host runs at once
 * @param shardsPerRecord shards per record of the shard topic, each record one shard job
 * @param stopTimeout how long a host waits for its shards to stop when it loses them or stops
 * @param apiTimeout bound of each call to the cluster
 * @param publishTimeout how long publishing the shards keeps trying while other publishers fence it
 * @param connection the Kafka connection
 */
public record DistributedSettings(String jobName, AssetSelector selector, CheckpointStore checkpointStore,
    Consumer<ReprocessJob.Builder> jobOptions, String shardTopic, int partitions, short replicationFactor,
    String groupId, int shardsInParallel, int shardsPerRecord, Duration stopTimeout, Duration apiTimeout, Duration publishTimeout,
    KafkaConnection connection) {

  /** Longest distributed job name, so that a shard job's name fits {@link ReprocessJob#NAME_PATTERN}. */
  public static final int MAX_NAME_LENGTH = 150;

  /**
   * The job that runs one shard: the host's options, then the shard's own name and selector, the
   * checkpoint store, no restart, and a live lease elsewhere failing it at once (the host retries).
   *
   * @param definition the host's selector's selection definition, may be null
   * @throws IllegalArgumentException as {@link ReprocessJob.Builder#build()}
   */
  public ReprocessJob shardJob(Shard shard, String definition) {
    return shardJob(List.of(shard), definition, checkpointStore);
  }

  /**
   * The job that runs the shards of one record (one shard, or a group), checkpointing in {@code
   * store} (the host's {@link HostSelection} view of {@link #checkpointStore}): named after the
   * record's id, its shards one at a time ({@code shardsInParallel} 1: the host's {@link
   * #shardsInParallel} counts shard jobs), with the overrides of {@link #shardJob(Shard, String)}.
   *
   * @throws IllegalArgumentException as {@link ReprocessJob.Builder#build()}
   */
  public ReprocessJob shardJob(List<Shard> shards, String definition, CheckpointStore store) {
    ReprocessJob.Builder builder = ReprocessJob.builder(ShardJobs.name(jobName, ShardRecord.id(shards)));
    jobOptions.accept(builder);
    return builder.selector(new RecordSelector(selector, shards, definition))
        .checkpointStore(store)
        .restart(false)
        .onRunningElsewhere(RunningElsewhere.TAKE_OVER_EXPIRED)
        .shardsInParallel(1)
        .build();
  }
}
