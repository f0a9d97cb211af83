package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobExecution;
import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.internal.JobHost;
import dev.reprocess.kafka.DistributedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selection host of a distributed job: a member of the hosts' consumer group on the shard
 * topic. Once it has read the records of partitions assigned to it (to their end offsets when
 * assigned; a job's records are all published before its hosts run), it runs their shards as one
 * <em>host job</em>: one {@link ReprocessJob} ({@link ShardJobs#hostJob}) over the shards of those
 * partitions' uncommitted records, {@code shardsInParallel} at a time, with one reader pool, one
 * handler pool and one checkpoint writer, whose checkpoints and leases are those of each
 * partition's job ({@link ShardJobs#partitionJob}, through {@link PartitionCheckpoints}): a lease
 * and fencing token per partition, acquired together when the host job starts. It commits a
 * record once its shards' COMPLETED checkpoints are written (at most every {@link #COMMIT_EVERY},
 * and when a host job ends); when the group takes partitions away, it stops (gracefully,
 * checkpointed) the host job that runs them and starts one over the partitions it still holds; it
 * ends once every record of the topic is committed.
 *
 * <p>Usually a host runs one host job at a time: the partitions assigned together form one. A
 * rebalance that adds partitions starts another host job beside the running one, for them; a host
 * job whose lease is held elsewhere (a dead host's, until it expires) is tried again every {@link
 * #HELD_RETRY}.
 *
 * <p>Threads: {@link #run()} on the caller's thread, which alone touches the consumer (the
 * rebalance callbacks run inside its {@code poll}); the host jobs' coordinators, shard readers,
 * handler threads and checkpoint writers run on the host's {@link JobHost} threads. The host logs
 * the host jobs' options once, each host job it starts and each that did not complete (at INFO),
 * and what its host jobs did so far every 30 s and when it ends. {@link #stop()} may be called from
 * any thread.
 */
public final class ShardHost implements ConsumerRebalanceListener {
  private static final Logger log = LoggerFactory.getLogger(ShardHost.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long COMPLETION_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
  /** How often the host logs what its host jobs did so far. */
  private static final long PROGRESS_NANOS = Duration.ofSeconds(30).toNanos();
  /** How often, at most, the host commits the records of completed shards while its host jobs run. */
  static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
  /** How soon a host job whose lease another host holds is tried again. */
  static final Duration HELD_RETRY = Duration.ofSeconds(1);

  private final DistributedSettings settings;
  private final String fingerprint;
  private final String definition;
  /** Where the partition jobs checkpoint: the host's {@link HostSelection} view of the store. */
  private final CheckpointStore store;
  private final Map<String, Shard> known;
  private final Consumer<byte[], byte[]> consumer;
  private final String prefix;
  private final ShardOffsets offsets = new ShardOffsets();
  private final Set<TopicPartition> owned = new HashSet<>();
  /** Each owned partition's end offset when it was assigned: its records are read up to there. */
  private final Map<TopicPartition, Long> ends = new HashMap<>();
  /** Each owned partition's records read and not yet complete, in offset order. */
  private final Map<TopicPartition, Set<Task>> pending = new HashMap<>();
  private final List<Group> waiting = new ArrayList<>();
  private final Map<Group, Running> running = new LinkedHashMap<>();
  /** Shards whose COMPLETED checkpoint a host job wrote, from its checkpoint writer's thread. */
  private final Queue<String> completedShards = new ConcurrentLinkedQueue<>();
  private final HostTally tally = new HostTally();
  private final GroupCompletion completion;
  /** The threads the host jobs borrow; closed by {@link #run()}. */
  private final JobHost threads;
  /** Released by each host job that ends, so the loop settles it at once. */
  private final Semaphore ended = new Semaphore(0);
  private int hostJobs;
  private long nextCommit = System.nanoTime();
  /** When the loop next asks whether the group committed every record (at once after a host job completed). */
  private long nextCheck = System.nanoTime();
  private volatile boolean stopping;
  private Throwable failure;

  /** A shard record read from an owned partition. */
  record Task(TopicPartition partition, long offset, ShardRecord record) {}

  /** Partitions to run as one host job, not before {@code notBeforeNanos} ({@link System#nanoTime()}). */
  record Group(Set<TopicPartition> partitions, long notBeforeNanos) {}

  /**
   * A running host job: the records it runs, the record of each shard, and how many shards each
   * record has left (until its shards' COMPLETED checkpoints are written).
   */
  private record Running(JobExecution execution, List<Task> tasks, Map<String, Task> taskOfShard,
      Map<Task, Integer> left) {}

  /**
   * @param store where the partition jobs checkpoint: {@link HostSelection#verify}'s store
   * @param shards the shards the host's selector lists, which the records must name
   * @param consumer a consumer of the hosts' group with manual commits and {@code read_committed};
   *     closed by {@link #run()}
   */
  public ShardHost(DistributedSettings settings, String fingerprint, String definition, CheckpointStore store,
      List<Shard> shards, Consumer<byte[], byte[]> consumer) {
    this.settings = settings;
    this.fingerprint = fingerprint;
    this.definition = definition;
    this.store = store;
    this.known = shards.stream().collect(Collectors.toMap(Shard::id, s -> s, (a, b) -> a));
    this.consumer = consumer;
    this.prefix = "job '" + settings.jobName() + "': ";
    this.completion = new GroupCompletion(settings);
    this.threads = new JobHost("reprocess-" + settings.jobName() + "-host");
  }

  /** Runs until every shard record of the topic is committed, {@link #stop()}, or a failure. */
  public DistributedJob.HostReport run() {
    boolean complete = false;
    try {
      log.info("{}its host jobs run with {}", prefix, settings.probeJob(definition));
      consumer.subscribe(List.of(settings.shardTopic()), this);
      long nextProgress = System.nanoTime() + PROGRESS_NANOS;
      while (!stopping && failure == null && !complete) {
        accept(poll());
        settle();
        launch();
        completedShards();
        if (System.nanoTime() - nextCommit >= 0) {
          commit();
        }
        if (System.nanoTime() - nextCheck >= 0) {
          complete = running.isEmpty() && waiting.isEmpty() && jobComplete();
          nextCheck = System.nanoTime() + COMPLETION_CHECK_NANOS;
        }
        if (System.nanoTime() - nextProgress >= 0) {
          log.info("{}so far on this host: {}; {} host jobs running, {} partitions waiting", prefix, tally.summary(),
              running.size(), waiting.stream().mapToInt(g -> g.partitions().size()).sum());
          nextProgress = System.nanoTime() + PROGRESS_NANOS;
        }
      }
    } catch (WakeupException e) {
      if (!stopping) {
        failure = e;
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      finish();
    }
    JobStatus status = failure != null ? JobStatus.FAILED : complete ? JobStatus.COMPLETED : JobStatus.CANCELLED;
    log.info("{}this host ended {}: {}", prefix, status, tally.summary());
    return tally.result(status, failure);
  }

  /**
   * The next records. While host jobs run, the wait is for one of them to end rather than inside
   * the consumer's poll: the consumer is polled without waiting (it still runs the group protocol,
   * the rebalance callbacks and the fetches), then the loop waits up to {@link #POLL} for a host
   * job to end.
   */
  private ConsumerRecords<byte[], byte[]> poll() {
    if (running.isEmpty()) {
      return consumer.poll(POLL);
    }
    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ZERO);
    if (records.isEmpty()) {
      try {
        if (ended.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
          ended.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
    }
    return records;
  }

  /** Makes {@link #run()} stop its host jobs (checkpointed), commit and return. Idempotent. */
  public void stop() {
    stopping = true;
    ended.release();
    consumer.wakeup();
  }

  private void finish() {
    try {
      stopShards(new HashSet<>(owned), true);
    } catch (RuntimeException e) {
      log.warn("{}stopping its shards failed: {}", prefix, e.toString());
    }
    completion.close();
    threads.close();
    try {
      consumer.close(settings.apiTimeout());
    } catch (RuntimeException e) {
      log.warn("{}closing its consumer failed: {}", prefix, e.toString());
    }
  }

  private void accept(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String where = r.topic() + "-" + r.partition() + "@" + r.offset();
      ShardRecord record = ShardRecord.parse(r.value(), where);
      if (!record.job().equals(settings.jobName()) || !record.fingerprint().equals(fingerprint)) {
        throw new ReprocessException(prefix + "the shard record at " + where + " is of job '" + record.job()
            + "' with selection fingerprint " + record.fingerprint() + ", but this host runs job '"
            + settings.jobName() + "' with fingerprint " + fingerprint + " (shardsPerRecord "
            + settings.shardsPerRecord() + "): the hosts' selections or their shardsPerRecord differ");
      }
      for (Shard shard : record.shards()) {
        if (!known.containsKey(shard.id())) {
          throw new ReprocessException(prefix + "the shard record at " + where + " names shard '"
              + shard.id() + "', which this host's selector does not list: the hosts' selections differ");
        }
      }
      TopicPartition partition = new TopicPartition(r.topic(), r.partition());
      Set<Task> tasks = pending.get(partition);
      if (tasks != null) {
        offsets.read(partition, r.offset());
        tasks.add(new Task(partition, r.offset(), record));
      }
    }
  }

  /** Acts on the host jobs that ended. */
  private void settle() {
    Iterator<Map.Entry<Group, Running>> it = running.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Group, Running> e = it.next();
      if (e.getValue().execution().isDone()) {
        completedShards(); // while the host job is still listed, so its last completions find their records
        it.remove();
        ended(e.getKey(), e.getValue(), e.getValue().execution().completion().toCompletableFuture().join());
      }
    }
  }

  private void ended(Group group, Running run, JobReport report) {
    tally.add(report);
    ShardJobs.Verdict verdict = ShardJobs.verdict(report);
    if (verdict == ShardJobs.Verdict.COMPLETE) {
      log.debug("{}host job {} over partitions {} ended: {} ({})", prefix, report.jobName(), numbers(group),
          verdict, report);
    } else {
      log.info("{}host job {} over partitions {} ended: {} ({})", prefix, report.jobName(), numbers(group),
          verdict, report);
    }
    switch (verdict) {
      case COMPLETE -> {
        for (Task task : run.tasks()) {
          done(task);
        }
        nextCommit = System.nanoTime(); // commit now, then see at once whether that completed the job
        nextCheck = System.nanoTime();
      }
      case HELD_ELSEWHERE, STOPPED -> retry(group.partitions(), System.nanoTime() + HELD_RETRY.toNanos());
      case FAILED -> {
        if (failure == null) {
          failure = new ReprocessException(prefix + "host job " + report.jobName() + " over partitions "
              + numbers(group) + " failed: " + report.failureCause(), report.failureCause());
        }
      }
    }
  }

  /** Runs the partitions this host still owns, of those given, as a host job again, not before {@code notBefore}. */
  private void retry(Set<TopicPartition> partitions, long notBefore) {
    if (stopping) {
      return;
    }
    Set<TopicPartition> still = new HashSet<>(partitions);
    still.retainAll(owned);
    if (!still.isEmpty()) {
      waiting.add(new Group(still, notBefore));
    }
  }

  /** A record's shards are all complete: its offset may be committed. */
  private void done(Task task) {
    Set<Task> tasks = pending.get(task.partition());
    if (tasks != null && tasks.remove(task)) {
      offsets.done(task.partition(), task.offset());
      tally.completed(task.record().shards().size());
    }
  }

  /** Counts the shards the host jobs' checkpoint writers reported complete, and marks records done. */
  private void completedShards() {
    for (String shardId; (shardId = completedShards.poll()) != null; ) {
      for (Running run : running.values()) {
        Task task = run.taskOfShard().get(shardId);
        if (task != null) {
          Integer left = run.left().computeIfPresent(task, (t, n) -> n - 1);
          if (left != null && left == 0) {
            run.left().remove(task);
            done(task);
          }
          break;
        }
      }
    }
  }

  private static List<Integer> numbers(Group group) {
    return group.partitions().stream().map(TopicPartition::partition).sorted().toList();
  }

  /** Starts a host job for each waiting group whose partitions' records are read to their end. */
  private void launch() {
    long now = System.nanoTime();
    Iterator<Group> it = waiting.iterator();
    while (it.hasNext()) {
      Group group = it.next();
      if (now - group.notBeforeNanos() < 0 || !readToEnd(group)) {
        continue;
      }
      it.remove();
      List<Task> tasks = group.partitions().stream().sorted(Comparator.comparingInt(TopicPartition::partition))
          .flatMap(p -> pending.getOrDefault(p, Set.of()).stream()).toList();
      if (tasks.isEmpty()) {
        continue; // every record of these partitions is complete already
      }
      Map<String, Task> taskOfShard = new LinkedHashMap<>();
      Map<Task, Integer> left = new HashMap<>();
      Map<String, String> partitionJobOfShard = new HashMap<>();
      List<String> partitionJobs = new ArrayList<>();
      for (Task task : tasks) {
        String partitionJob = ShardJobs.partitionJob(settings.jobName(), task.partition().partition());
        if (!partitionJobs.contains(partitionJob)) {
          partitionJobs.add(partitionJob);
        }
        for (Shard shard : task.record().shards()) {
          // A shard named by two records (a duplicate record) runs once, under the first; the
          // second is done when the host job completes.
          if (taskOfShard.putIfAbsent(shard.id(), task) == null) {
            partitionJobOfShard.put(shard.id(), partitionJob);
            left.merge(task, 1, Integer::sum);
          }
        }
      }
      String name = ShardJobs.hostJob(settings.jobName(), ++hostJobs);
      log.info("{}running partitions {} as host job {}: {} records, {} shards", prefix, numbers(group), name,
          tasks.size(), taskOfShard.size());
      CheckpointStore partitionStore = new PartitionCheckpoints(store,
          new PartitionRouting(partitionJobs, partitionJobOfShard));
      ReprocessJob job = settings.hostJob(name, taskOfShard.keySet().stream().map(known::get).toList(), definition,
          partitionStore, new JobListener() {
            @Override
            public void onShardCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
              completedShards.add(shard.id());
            }
          });
      JobExecution execution = threads.starting(job::start);
      running.put(group, new Running(execution, tasks, taskOfShard, left));
      execution.completion().whenComplete((report, error) -> ended.release());
    }
  }

  /** Whether every record of the group's partitions up to their end offsets at assignment was read. */
  private boolean readToEnd(Group group) {
    for (TopicPartition partition : group.partitions()) {
      Long end = ends.get(partition);
      if (end != null && consumer.position(partition, settings.apiTimeout()) < end) {
        return false;
      }
    }
    return true;
  }

  private void commit() {
    try {
      commitCompleted();
    } catch (WakeupException e) {
      if (!stopping) {
        throw e;
      }
      // stop()'s wakeup, pending since the loop waited for a host job rather than in poll: it is
      // used up now, so the commit runs again.
      commitCompleted();
    }
    nextCommit = System.nanoTime() + COMMIT_EVERY.toNanos();
  }

  private void commitCompleted() {
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition partition : consumer.assignment()) {
      positions.put(partition, consumer.position(partition));
    }
    Map<TopicPartition, OffsetAndMetadata> commits = offsets.toCommit(positions);
    if (!commits.isEmpty()) {
      try {
        consumer.commitSync(commits, settings.apiTimeout());
        offsets.committed(commits);
      } catch (RebalanceInProgressException | CommitFailedException | RetriableException e) {
        // Committed on a later turn, or by the revocation of these partitions; a later owner finds
        // the shards complete (their checkpoints) and commits them.
        log.debug("{}commit deferred: {}", prefix, e.toString());
      }
    }
  }

  /** Whether the group committed every record of every partition of the shard topic. */
  private boolean jobComplete() {
    if (!completion.complete()) {
      return false;
    }
    log.info("{}every shard of topic '{}' is complete", prefix, settings.shardTopic());
    return true;
  }

  /**
   * Gives the partitions up: cancels the host jobs that run any of them (their in-flight events
   * finish and are checkpointed), waits for them up to {@code stopTimeout}, runs the partitions
   * they ran that this host keeps as a new host job, and commits what completed if {@code commit}.
   */
  private void stopShards(Collection<TopicPartition> partitions, boolean commit) {
    owned.removeAll(partitions);
    List<Group> keep = new ArrayList<>();
    for (Group group : waiting) {
      Set<TopicPartition> still = new HashSet<>(group.partitions());
      still.retainAll(owned);
      if (!still.isEmpty()) {
        keep.add(new Group(still, group.notBeforeNanos()));
      }
    }
    waiting.clear();
    waiting.addAll(keep);
    List<JobExecution> stopping = new ArrayList<>();
    running.forEach((group, run) -> {
      if (group.partitions().stream().anyMatch(partitions::contains)) {
        run.execution().cancel();
        stopping.add(run.execution());
      }
    });
    long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
    for (JobExecution execution : stopping) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        execution.await(Duration.ofNanos(left));
      } catch (RuntimeException e) {
        log.warn("{}host job {} did not stop within {}: its partitions' leases expire by themselves", prefix,
            execution.jobName(), settings.stopTimeout());
      }
    }
    settle();
    if (commit && failure == null) {
      try {
        commit();
      } catch (RuntimeException e) {
        log.warn("{}committing completed shards of {} failed: {}", prefix, partitions, e.toString());
      }
    }
    for (TopicPartition partition : partitions) {
      pending.remove(partition);
      ends.remove(partition);
    }
    offsets.forget(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    log.info("{}assigned shard partitions {}", prefix, partitions);
    owned.addAll(partitions);
    ends.putAll(consumer.endOffsets(partitions, settings.apiTimeout()));
    for (TopicPartition partition : partitions) {
      pending.put(partition, new LinkedHashSet<>());
    }
    waiting.add(new Group(Set.copyOf(partitions), System.nanoTime()));
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (!partitions.isEmpty()) {
      log.info("{}shard partitions {} revoked: stopping their shards", prefix, partitions);
      stopShards(partitions, true);
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    log.warn("{}shard partitions {} lost: stopping their shards without committing", prefix, partitions);
    stopShards(partitions, false);
  }
}
