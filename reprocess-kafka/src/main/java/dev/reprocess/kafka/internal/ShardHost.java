package dev.reprocess.kafka.internal;

import dev.reprocess.CheckpointStore;
import dev.reprocess.JobExecution;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * topic. It runs the shards of its partitions' records as shard jobs (one per record: a shard, or a
 * group of {@code shardsPerRecord}), {@code shardsInParallel} at a time, commits a record once its
 * shards are complete, stops (gracefully, checkpointed) the shards
 * of partitions the group takes away, and ends once every record of the topic is committed.
 *
 * <p>Threads: {@link #run()} on the caller's thread, which alone touches the consumer (the
 * rebalance callbacks run inside its {@code poll}); the shard jobs' coordinators, shard readers and
 * checkpoint writers run on the host's {@link JobHost} threads ({@code reprocess-<job>-host-<n>}
 * while idle), which they reuse one shard job after another; each shard job keeps its own lease,
 * fencing token and checkpoints. The shard jobs log their start, lease and report at DEBUG (a
 * failure still at ERROR): the host logs their shared options once, what its shard jobs did so far
 * every 30 s and when it ends (at INFO), a shard job that did not complete with its report (at
 * INFO), and each shard job it starts and each that completed only at DEBUG.
 * {@link #stop()} may be called from any thread.
 */
public final class ShardHost implements ConsumerRebalanceListener {
  private static final Logger log = LoggerFactory.getLogger(ShardHost.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long COMPLETION_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
  /** How often the host logs what its shard jobs did so far. */
  private static final long PROGRESS_NANOS = Duration.ofSeconds(30).toNanos();
  /** How soon a shard whose lease another host holds is tried again. */
  static final Duration HELD_RETRY = Duration.ofSeconds(1);

  private final DistributedSettings settings;
  private final String fingerprint;
  private final String definition;
  /** Where the shard jobs checkpoint: the host's {@link HostSelection} view of the store. */
  private final CheckpointStore store;
  private final Map<String, Shard> known;
  private final Consumer<byte[], byte[]> consumer;
  private final String prefix;
  private final ShardOffsets offsets = new ShardOffsets();
  private final Set<TopicPartition> owned = new HashSet<>();
  private final List<Task> waiting = new ArrayList<>();
  private final Map<Task, JobExecution> running = new LinkedHashMap<>();
  private final HostTally tally = new HostTally();
  private final GroupCompletion completion;
  /** The threads the shard jobs borrow; closed by {@link #run()}. */
  private final JobHost threads;
  /** Released by each shard job that ends, so the loop settles it and fills its slot at once. */
  private final Semaphore ended = new Semaphore(0);
  private volatile boolean stopping;
  private Throwable failure;

  /** A shard record to run, not before {@code notBeforeNanos} ({@link System#nanoTime()}). */
  record Task(TopicPartition partition, long offset, ShardRecord record, long notBeforeNanos) {
    Task later(long notBeforeNanos) {
      return new Task(partition, offset, record, notBeforeNanos);
    }
  }

  /**
   * @param store where the shard jobs checkpoint: {@link HostSelection#verify}'s store
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
      log.info("{}its shard jobs run with {}", prefix, settings.shardJob(List.of(Shard.of("shard", null)), definition,
          store));
      consumer.subscribe(List.of(settings.shardTopic()), this);
      long nextCheck = System.nanoTime();
      long nextProgress = System.nanoTime() + PROGRESS_NANOS;
      while (!stopping && failure == null && !complete) {
        accept(poll());
        settle();
        launch();
        commit();
        pauseOrResume();
        if (System.nanoTime() - nextCheck >= 0) {
          complete = running.isEmpty() && waiting.isEmpty() && jobComplete();
          nextCheck = System.nanoTime() + COMPLETION_CHECK_NANOS;
        }
        if (System.nanoTime() - nextProgress >= 0) {
          log.info("{}so far on this host: {}; {} running, {} waiting", prefix, tally.summary(), running.size(),
              waiting.size());
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
   * The next records. While shard jobs run, the wait is for one of them to end rather than inside
   * the consumer's poll, so a shard's slot is filled as soon as it is free instead of after up to
   * {@link #POLL}: the consumer is polled without waiting (it still runs the group protocol, the
   * rebalance callbacks and the fetches), then the loop waits up to {@code POLL} for a shard job to end.
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

  /** Makes {@link #run()} stop its shards (checkpointed), commit and return. Idempotent. */
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
      offsets.read(partition, r.offset());
      waiting.add(new Task(partition, r.offset(), record, System.nanoTime()));
    }
  }

  /** Acts on the shard jobs that ended. */
  private void settle() {
    Iterator<Map.Entry<Task, JobExecution>> it = running.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Task, JobExecution> e = it.next();
      if (e.getValue().isDone()) {
        it.remove();
        ended(e.getKey(), e.getValue().completion().toCompletableFuture().join());
      }
    }
  }

  private void ended(Task task, JobReport report) {
    tally.add(report);
    ShardJobs.Verdict verdict = ShardJobs.verdict(report);
    // The shard job logs its report at DEBUG only (a failure at ERROR): this line carries it, at DEBUG
    // for a shard that completed (the host's progress and end lines count those), at INFO otherwise.
    if (verdict == ShardJobs.Verdict.COMPLETE) {
      if (log.isDebugEnabled()) {
        log.debug("{}{} ended on this host: {} ({})", prefix, describe(task), verdict, report);
      }
    } else {
      log.info("{}{} ended on this host: {} ({})", prefix, describe(task), verdict, report);
    }
    switch (verdict) {
      case COMPLETE -> {
        tally.completed(task.record().shards().size());
        offsets.done(task.partition(), task.offset());
      }
      case HELD_ELSEWHERE, STOPPED -> {
        if (owned.contains(task.partition()) && !stopping) {
          waiting.add(task.later(System.nanoTime() + HELD_RETRY.toNanos()));
        }
      }
      case FAILED -> {
        if (failure == null) {
          failure = new ReprocessException(prefix + describe(task) + " failed: "
              + report.failureCause(), report.failureCause());
        }
      }
    }
  }

  /** "shard &lt;id&gt;", or "shards &lt;record id&gt; (n)" for a group. */
  private static String describe(Task task) {
    List<Shard> shards = task.record().shards();
    return shards.size() == 1 ? "shard " + task.record().id() : "shards " + task.record().id() + " (" + shards.size() + ")";
  }

  /** Starts waiting records' shard jobs while fewer than {@code shardsInParallel} run. */
  private void launch() {
    long now = System.nanoTime();
    Set<String> busy = running.keySet().stream().map(t -> t.record().id()).collect(Collectors.toSet());
    Iterator<Task> it = waiting.iterator();
    while (it.hasNext() && running.size() < settings.shardsInParallel()) {
      Task task = it.next();
      if (now - task.notBeforeNanos() < 0 || busy.contains(task.record().id())) {
        continue; // not yet, or a duplicate record of shards this host runs
      }
      it.remove();
      busy.add(task.record().id());
      if (log.isDebugEnabled()) {
        log.debug("{}running {} (partition {}, offset {})", prefix, describe(task), task.partition(), task.offset());
      }
      try {
        ReprocessJob job = settings.shardJob(task.record().shards().stream().map(s -> known.get(s.id())).toList(),
            definition, store);
        JobExecution execution = threads.starting(job::start);
        running.put(task, execution);
        execution.completion().whenComplete((report, error) -> ended.release());
      } catch (IllegalStateException stillStopping) {
        // This host's earlier run of the shard has not stopped yet (it outlived stopTimeout).
        waiting.add(task.later(now + HELD_RETRY.toNanos()));
        return;
      }
    }
  }

  private void commit() {
    try {
      commitCompleted();
    } catch (WakeupException e) {
      if (!stopping) {
        throw e;
      }
      // stop()'s wakeup, pending since the loop waited for a shard job rather than in poll: it is
      // used up now, so the commit runs again.
      commitCompleted();
    }
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

  /** Reads no more records while many wait to run: memory stays bounded. */
  private void pauseOrResume() {
    if (waiting.size() >= 4 * settings.shardsInParallel()) {
      consumer.pause(consumer.assignment());
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
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
   * Cancels the shards of the partitions (their in-flight events finish and are checkpointed),
   * waits for them up to {@code stopTimeout}, and commits what completed if {@code commit}.
   */
  private void stopShards(Collection<TopicPartition> partitions, boolean commit) {
    owned.removeAll(partitions);
    waiting.removeIf(t -> partitions.contains(t.partition()));
    List<JobExecution> stopping = new ArrayList<>();
    running.forEach((task, execution) -> {
      if (partitions.contains(task.partition())) {
        execution.cancel();
        stopping.add(execution);
      }
    });
    long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
    for (JobExecution execution : stopping) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        execution.await(Duration.ofNanos(left));
      } catch (RuntimeException e) {
        log.warn("{}shard job {} did not stop within {}: its lease expires by itself", prefix,
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
    offsets.forget(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    owned.addAll(partitions);
    if (!partitions.isEmpty()) {
      log.info("{}assigned shard partitions {}", prefix, partitions);
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
