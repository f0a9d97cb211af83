package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobExecution;
import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseHolder;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.internal.JobHost;
import dev.reprocess.kafka.DistributedJob;
import java.time.Duration;
import java.time.Instant;
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
import java.util.Optional;
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
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selection host of a distributed job: a member of the hosts' consumer group on the shard
 * topic. Once it has read the records of partitions assigned to it (to their end offsets when
 * assigned; a job's records are all published before its hosts run), it runs their shards as one
 * <em>host job</em>: one {@link ReprocessJob} ({@link ShardJobs#hostJob}) over the shards of its
 * partitions' uncommitted records, {@code shardsInParallel} at a time, with one reader pool, one
 * handler pool and one checkpoint writer, whose checkpoints and leases are those of each
 * partition's job ({@link ShardJobs#partitionJob}, through {@link PartitionCheckpoints}): a lease
 * and fencing token per partition, acquired together when the host job starts. It commits a
 * record once its shards' COMPLETED checkpoints are written or found (at most every {@link
 * #COMMIT_EVERY}, and when a host job ends); it ends once every record of the topic is committed.
 *
 * <p>A host runs one host job at a time, so the job options bound the host. When the group takes
 * partitions away, the host stops (gracefully, checkpointed) its host job and starts one over the
 * partitions it keeps; when partitions are added, it stops its host job and starts one over all
 * its partitions, once at least one added partition's lease is free (a dead host's lease is
 * looked at every {@link #HELD_RETRY} until it expires, without stopping the running host job). A
 * host job that does not stop within {@code stopTimeout} is abandoned: the host releases its
 * partitions' leases (its stuck handler calls go on; their checkpoints are refused) and goes on
 * without it.
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
  /** How often, at most, the host commits the records of completed shards while its host job runs. */
  static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
  /** How soon a partition whose lease another host holds is looked at again. */
  static final Duration HELD_RETRY = Duration.ofSeconds(1);
  /** The numbers the running hosts of each job in this JVM took, which name their host jobs. */
  private static final Map<String, Set<Integer>> NUMBERS = new HashMap<>();

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
  /** Owned partitions the host job does not run, each with when it may ({@link System#nanoTime()}). */
  private final Map<TopicPartition, Long> idle = new HashMap<>();
  /** Shards whose COMPLETED checkpoint a host job wrote or found, from its threads. */
  private final Queue<String> completedShards = new ConcurrentLinkedQueue<>();
  private final HostTally tally = new HostTally();
  private final GroupCompletion completion;
  /** The threads the host jobs borrow; closed by {@link #run()}. */
  private final JobHost threads;
  /** Released by each host job that ends, so the loop settles it at once. */
  private final Semaphore ended = new Semaphore(0);
  /** This host's number among the job's hosts in its JVM: its host jobs are {@code <job>.host-<number>}. */
  private final int number;
  /**
   * Host jobs abandoned so far (stuck past stopTimeout) or whose name was still taken: the next one
   * is named {@code <job>.host-<number>.<renamed>}.
   */
  private int renamed;
  /** The running host job, or null. */
  private Running current;
  /** Whether {@link #current} was stopped to start one over more partitions. */
  private boolean merging;
  private long nextCommit = System.nanoTime();
  /** When the loop next asks whether the group committed every record (at once after a host job completed). */
  private long nextCheck = System.nanoTime();
  private volatile boolean stopping;
  private Throwable failure;

  /** A shard record read from an owned partition. */
  record Task(TopicPartition partition, long offset, ShardRecord record) {}

  /**
   * The running host job: its partitions and their store view, the records it runs, the record of
   * each shard, and how many shards each record has left (until their COMPLETED checkpoints are
   * written or found).
   */
  private record Running(JobExecution execution, Set<TopicPartition> partitions, PartitionCheckpoints checkpoints,
      List<Task> tasks, Map<String, Task> taskOfShard, Map<Task, Integer> left) {}

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
    this.number = takeNumber(settings.jobName());
  }

  /** The lowest number no running host of the job in this JVM has. */
  private static int takeNumber(String job) {
    synchronized (NUMBERS) {
      Set<Integer> taken = NUMBERS.computeIfAbsent(job, j -> new HashSet<>());
      int n = 1;
      while (taken.contains(n)) {
        n++;
      }
      taken.add(n);
      return n;
    }
  }

  private static void giveBack(String job, int n) {
    synchronized (NUMBERS) {
      Set<Integer> taken = NUMBERS.get(job);
      if (taken != null && taken.remove(n) && taken.isEmpty()) {
        NUMBERS.remove(job);
      }
    }
  }

  /** Runs until every shard record of the topic is committed, {@link #stop()}, or a failure. */
  public DistributedJob.HostReport run() {
    boolean complete = false;
    try {
      log.info("{}its host jobs run with {}", prefix, settings.hostJob(ShardJobs.hostJob(settings.jobName(), number),
          List.of(Shard.of("probe", null)), definition, store, null));
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
          complete = current == null && idle.isEmpty() && jobComplete();
          nextCheck = System.nanoTime() + COMPLETION_CHECK_NANOS;
        }
        if (System.nanoTime() - nextProgress >= 0) {
          log.info("{}so far on this host: {}; {} partitions running, {} waiting", prefix, tally.summary(),
              current == null ? 0 : current.partitions().size(), idle.size());
          nextProgress = System.nanoTime() + PROGRESS_NANOS;
        }
      }
    } catch (WakeupException e) {
      if (!stopping && !Thread.currentThread().isInterrupted()) {
        failure = e;
      }
    } catch (InterruptException e) {
      // The consumer was interrupted: a stop, as a WakeupException after an interrupt is.
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      // An interrupt ends the host as stop() does: its host job stops checkpointed, it commits and
      // leaves the group, then the interrupt flag is set again for the caller.
      boolean interrupted = Thread.interrupted();
      try {
        finish();
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    JobStatus status = failure != null ? JobStatus.FAILED : complete ? JobStatus.COMPLETED : JobStatus.CANCELLED;
    log.info("{}this host ended {}: {}", prefix, status, tally.summary());
    return tally.result(status, failure);
  }

  /**
   * The next records. While a host job runs, the wait is for it to end rather than inside the
   * consumer's poll: the consumer is polled without waiting (it still runs the group protocol, the
   * rebalance callbacks and the fetches), then the loop waits up to {@link #POLL} for the host job
   * to end.
   */
  private ConsumerRecords<byte[], byte[]> poll() {
    if (current == null) {
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

  /** Makes {@link #run()} stop its host job (checkpointed), commit and return. Idempotent. */
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
    giveBack(settings.jobName(), number);
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

  /** Acts on the host job if it ended. */
  private void settle() {
    Running run = current;
    if (run != null && run.execution().isDone()) {
      completedShards(); // while the host job is still current, so its last completions find their records
      current = null;
      ended(run, run.execution().completion().toCompletableFuture().join());
    }
  }

  private void ended(Running run, JobReport report) {
    tally.add(report);
    boolean merge = merging;
    merging = false;
    ShardJobs.Verdict verdict = ShardJobs.verdict(report);
    if (verdict == ShardJobs.Verdict.COMPLETE || (merge && verdict == ShardJobs.Verdict.STOPPED)) {
      log.debug("{}host job {} over partitions {} ended: {} ({})", prefix, report.jobName(),
          numbers(run.partitions()), verdict, report);
    } else {
      log.info("{}host job {} over partitions {} ended: {} ({})", prefix, report.jobName(),
          numbers(run.partitions()), verdict, report);
    }
    switch (verdict) {
      case COMPLETE -> {
        for (Task task : run.tasks()) {
          done(task);
        }
        nextCommit = System.nanoTime(); // commit now, then see at once whether that completed the job
        nextCheck = System.nanoTime();
      }
      case STOPPED -> idleAgain(run.partitions(), System.nanoTime());
      case HELD_ELSEWHERE -> idleAgain(run.partitions(), System.nanoTime() + HELD_RETRY.toNanos());
      case FAILED -> {
        if (failure == null) {
          failure = new ReprocessException(prefix + "host job " + report.jobName() + " over partitions "
              + numbers(run.partitions()) + " failed: " + report.failureCause(), report.failureCause());
        }
      }
    }
  }

  /** The partitions this host still owns, of those given, wait for a host job again, not before {@code notBefore}. */
  private void idleAgain(Set<TopicPartition> partitions, long notBefore) {
    for (TopicPartition partition : partitions) {
      if (owned.contains(partition)) {
        idle.putIfAbsent(partition, notBefore);
      }
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

  /** Counts the shards the host job reported complete, and marks the records whose shards all are done. */
  private void completedShards() {
    Running run = current;
    for (String shardId; (shardId = completedShards.poll()) != null; ) {
      Task task = run == null ? null : run.taskOfShard().get(shardId);
      if (task != null) {
        Integer left = run.left().computeIfPresent(task, (t, n) -> n - 1);
        if (left != null && left == 0) {
          run.left().remove(task);
          done(task);
        }
      }
    }
  }

  private static List<Integer> numbers(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).sorted().toList();
  }

  /**
   * Starts a host job over the idle partitions that may run (their records read to their end
   * offsets, some not complete, their lease not held by another live owner), together with those of
   * the running host job, which is stopped first to that end.
   */
  private void launch() {
    long now = System.nanoTime();
    List<TopicPartition> ready = new ArrayList<>();
    for (Iterator<Map.Entry<TopicPartition, Long>> it = idle.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, Long> e = it.next();
      TopicPartition partition = e.getKey();
      if (now - e.getValue() < 0 || !readToEnd(partition)) {
        continue;
      }
      if (pending.getOrDefault(partition, Set.of()).isEmpty()) {
        it.remove(); // every record of it is complete
      } else if (heldElsewhere(partition)) {
        e.setValue(now + HELD_RETRY.toNanos());
      } else {
        ready.add(partition);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    if (current != null) {
      if (!merging) {
        log.info("{}partitions {} may run: stopping host job {} to run them with its own", prefix, numbers(ready),
            current.execution().jobName());
        merging = true;
        current.execution().cancel();
      }
      return;
    }
    Set<TopicPartition> partitions = new HashSet<>(ready);
    ready.forEach(idle::remove);
    List<Task> tasks = partitions.stream().sorted(Comparator.comparingInt(TopicPartition::partition))
        .flatMap(p -> pending.get(p).stream()).toList();
    Map<String, Task> taskOfShard = new LinkedHashMap<>();
    Map<Task, Integer> left = new HashMap<>();
    Map<String, String> partitionJobOfShard = new HashMap<>();
    List<String> partitionJobs = new ArrayList<>();
    for (Task task : tasks) {
      String partitionJob = ShardJobs.partitionJob(settings.jobName(), task.partition().partition());
      if (partitionJobs.isEmpty() || !partitionJobs.get(partitionJobs.size() - 1).equals(partitionJob)) {
        partitionJobs.add(partitionJob); // tasks come partition by partition
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
    String name = ShardJobs.hostJob(settings.jobName(), number) + (renamed == 0 ? "" : "." + renamed);
    PartitionCheckpoints checkpoints = new PartitionCheckpoints(store,
        new PartitionRouting(partitionJobs, partitionJobOfShard), completedShards::add);
    ReprocessJob job = settings.hostJob(name, taskOfShard.keySet().stream().map(known::get).toList(), definition,
        checkpoints, new JobListener() {
          @Override
          public void onShardCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
            completedShards.add(shard.id());
          }
        });
    log.info("{}running partitions {} as host job {}: {} records, {} shards", prefix, numbers(partitions), name,
        tasks.size(), taskOfShard.size());
    JobExecution execution;
    try {
      execution = threads.starting(job::start);
    } catch (IllegalStateException nameTaken) {
      // A host job this host abandoned, or another host of this JVM, runs under the name still.
      log.info("{}{}: the next host job takes another name", prefix, nameTaken.getMessage());
      renamed++;
      idleAgain(partitions, now + HELD_RETRY.toNanos());
      return;
    }
    current = new Running(execution, partitions, checkpoints, tasks, taskOfShard, left);
    execution.completion().whenComplete((report, error) -> ended.release());
  }

  /** Whether another owner holds the partition's lease, unexpired (a store that does not tell: no). */
  private boolean heldElsewhere(TopicPartition partition) {
    Optional<LeaseHolder> holder = store.leaseHolder(ShardJobs.partitionJob(settings.jobName(),
        partition.partition()));
    return holder.isPresent() && !holder.get().expiredAt(Instant.now());
  }

  /** Whether every record of the partition up to its end offset at assignment was read. */
  private boolean readToEnd(TopicPartition partition) {
    Long end = ends.get(partition);
    return end == null || consumer.position(partition, settings.apiTimeout()) >= end;
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
      // Only the partitions this host still tracks: once stopShards forgot a partition's pending
      // records, the consumer's close() revokes it again, and committing its position then would pass
      // records whose shards are not complete.
      if (pending.containsKey(partition)) {
        positions.put(partition, consumer.position(partition));
      }
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
   * Gives the partitions up: stops the host job if it runs any of them (its in-flight events finish
   * and are checkpointed) and waits for it up to {@code stopTimeout}, after which it abandons it and
   * releases its partitions' leases; the partitions it ran that this host keeps wait for the next
   * host job. Commits what completed if {@code commit}.
   */
  private void stopShards(Collection<TopicPartition> partitions, boolean commit) {
    owned.removeAll(partitions);
    partitions.forEach(idle::remove);
    Running run = current;
    if (run != null && run.partitions().stream().anyMatch(partitions::contains)) {
      run.execution().cancel();
      try {
        run.execution().await(settings.stopTimeout());
      } catch (RuntimeException e) {
        abandon(run);
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

  /**
   * A host job that did not stop within {@code stopTimeout}: its partitions' leases are released,
   * so that their next owner need not wait for the stuck calls (whose checkpoints are then refused),
   * and the host goes on without it; the partitions this host keeps wait for the next host job.
   */
  private void abandon(Running run) {
    log.warn("{}host job {} did not stop within {}: releasing its partitions' leases (its stuck handler calls"
        + " go on; their checkpoints are refused) and going on without it", prefix, run.execution().jobName(),
        settings.stopTimeout());
    try {
      run.checkpoints().releaseLeases();
    } catch (RuntimeException e) {
      log.warn("{}releasing the leases of host job {} failed: they expire after leaseTimeToLive: {}", prefix,
          run.execution().jobName(), e.toString());
    }
    completedShards(); // what it completed before: those records may be committed
    renamed++;
    current = null;
    merging = false;
    idleAgain(run.partitions(), System.nanoTime());
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    log.info("{}assigned shard partitions {}", prefix, partitions);
    owned.addAll(partitions);
    ends.putAll(consumer.endOffsets(partitions, settings.apiTimeout()));
    long now = System.nanoTime();
    for (TopicPartition partition : partitions) {
      pending.put(partition, new LinkedHashSet<>());
      idle.put(partition, now);
    }
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
