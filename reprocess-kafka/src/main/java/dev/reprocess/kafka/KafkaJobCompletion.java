package dev.reprocess.kafka;

import dev.reprocess.ReprocessException;
import dev.reprocess.kafka.internal.GroupLag;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.OutcomeRecord;
import dev.reprocess.kafka.internal.OutcomesReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.RetriableException;

/**
 * When a job whose sink is Kafka is really done: its events handled by the workers, not only
 * acknowledged by the broker. A job with a {@link KafkaEventSink} reports {@code COMPLETED} once
 * the broker acknowledged every event it published; the {@link KafkaReprocessWorker}s of the
 * consumer group, in this process or others, may still be handling them. This reads, from Kafka
 * alone, how far the group got.
 *
 * <pre>{@code
 * JobReport published = job.run();                      // COMPLETED: every event acknowledged
 * try (KafkaJobCompletion completion = KafkaJobCompletion.builder()
 *     .bootstrapServers("kafka-1:9092").topic("assets-events").groupId("backfill-sizes-workers").build()) {
 *   completion.awaitCompletion(Duration.ofMinutes(30)); // every event final
 * }
 * }</pre>
 *
 * <p><b>What "complete" means.</b> The group's lag is, per partition of the events topic and of its
 * retry topic (default {@code <topic>}{@value KafkaReprocessWorker#RETRY_TOPIC_SUFFIX}), the records after
 * the group's committed offset up to the partition's end offset (from its first offset where the
 * group never committed). A worker commits an offset only past records whose outcome is final: the
 * handler returned {@code SUCCEEDED} or {@code SKIPPED}, or the dead-letter topic acknowledged the
 * record's dead letter, or the retry topic acknowledged its next attempt (which then counts in the
 * retry topic's lag until it is final in turn), or its dead letter could not be published for a
 * lasting reason and it was skipped ({@link WorkerStats#deadLetterFailed()}). So lag 0 on both
 * topics means: every record published to them before the lag was read is final. The committed
 * offsets are read before the end offsets, so a record on its way to the retry topic is never
 * missed. Call it after the job's run returned: events the job has not published yet are not in
 * the lag. Delivery is at least once: a worker that dies after handling records and before
 * committing them leaves them in the lag, and the next owner handles them again. The lag is the
 * group's on the topics, not one job's: events of other jobs published to the same topic count too.
 *
 * <p><b>Counts that add up.</b> With {@link Builder#job} set, and the workers publishing to an
 * outcomes topic ({@link KafkaReprocessWorker.Builder#outcomesTopic}, created with {@link
 * #outcomesTopicSpec}), the status also says how many of the job's events the workers finished per
 * outcome ({@link JobOutcomes}), added up over every worker instance in every process. A worker
 * publishes the counts of the records it commits, and has them acknowledged, before it commits
 * them; the counts are read after the lag. So once {@link #awaitCompletion} returns, {@code
 * outcomes().finished()} includes every event of the job, and equals the events the job published
 * (its report's {@code succeeded}) unless an event was handled twice (a worker that died or lost
 * its partitions after reporting and before committing): counts are at least once, like delivery.
 *
 * <p>Defaults: {@link Builder#pollInterval} 500 ms, {@link Builder#requestTimeout} 30 s. The topics
 * must exist (a {@link ReprocessException} names them otherwise); nothing is created, nothing is
 * written, the group is only read (this joins no group).
 *
 * <p>Thread-safe: {@link #status()} and {@link #awaitCompletion} may be called from any thread.
 * Holds one admin client, closed by {@link #close()}.
 */
public final class KafkaJobCompletion implements AutoCloseable {

  /** The default wait between two reads of the lag in {@link #awaitCompletion}: 500 ms. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
  /** The default bound on one call to the cluster: 30 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final String retryTopic;
  private final String groupId;
  private final Duration pollInterval;
  private final Admin admin;
  private final GroupLag lag;
  private final String job;
  private final OutcomesReader outcomes;

  private KafkaJobCompletion(Builder b, KafkaConnection connection) {
    this.topic = b.topic;
    this.retryTopic = b.retryTopic != null ? b.retryTopic : b.topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX;
    this.groupId = b.groupId;
    this.pollInterval = b.pollInterval;
    java.util.Map<String, Object> config = connection.adminConfig(b.requestTimeout, "reprocess-completion-" + groupId);
    this.admin = KafkaConnection.created(config, () -> Admin.create(config));
    this.lag = new GroupLag(admin, groupId, List.of(topic, retryTopic), b.requestTimeout);
    this.job = b.job;
    this.outcomes = b.job == null ? null : new OutcomesReader(
        connection.consumerConfig(null, b.requestTimeout, "reprocess-completion-" + groupId + "-outcomes"),
        b.outcomesTopic != null ? b.outcomesTopic : topic + KafkaReprocessWorker.OUTCOMES_TOPIC_SUFFIX,
        b.requestTimeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The events topic. */
  public String topic() {
    return topic;
  }

  /** The retry topic: as built, default {@code <topic>}{@value KafkaReprocessWorker#RETRY_TOPIC_SUFFIX}. */
  public String retryTopic() {
    return retryTopic;
  }

  /** The workers' consumer group. */
  public String groupId() {
    return groupId;
  }

  /**
   * Reads the group's lag now (a few admin requests).
   *
   * @throws ReprocessException if a topic does not exist, or the cluster does not answer within
   *     the request timeout
   */
  public CompletionStatus status() {
    return read(true);
  }

  /** The lag, then (with a job, and when asked) the outcome counts: in that order, see the class comment. */
  private CompletionStatus read(boolean withOutcomes) {
    java.util.Map<String, Long> lagByTopic = lag.read();
    return new CompletionStatus(groupId, lagByTopic, outcomes == null || !withOutcomes ? null : jobOutcomes());
  }

  /** Adds up the latest report of every worker for the job. */
  private JobOutcomes jobOutcomes() {
    long succeeded = 0;
    long skipped = 0;
    long deadLettered = 0;
    long deadLetterFailed = 0;
    List<OutcomeRecord> latest = outcomes.latest(job);
    for (OutcomeRecord r : latest) {
      succeeded += r.succeeded();
      skipped += r.skipped();
      deadLettered += r.deadLettered();
      deadLetterFailed += r.deadLetterFailed();
    }
    return new JobOutcomes(job, succeeded, skipped, deadLettered, deadLetterFailed, latest.size());
  }

  /**
   * The outcomes topic {@link KafkaReprocessWorker.Builder#outcomesTopic} expects, for {@link
   * KafkaTopics#ensureTopics}: {@code <eventsTopic>}{@value KafkaReprocessWorker#OUTCOMES_TOPIC_SUFFIX},
   * one partition, compacted ({@code cleanup.policy=compact}: the latest record per job and worker
   * instance stays).
   */
  public static TopicSpec outcomesTopicSpec(String eventsTopic, int replicationFactor) {
    return new TopicSpec(eventsTopic + KafkaReprocessWorker.OUTCOMES_TOPIC_SUFFIX, 1,
        TopicSpec.of(eventsTopic, 1, replicationFactor).replicationFactor(), java.util.Map.of("cleanup.policy", "compact"));
  }

  /** The group's lag on the events and retry topics together, in records: {@code status().lag()}. */
  public long lag() {
    return status().lag();
  }

  /** Whether every record published so far to the events and retry topics is final: lag 0. */
  public boolean isComplete() {
    return status().isComplete();
  }

  /**
   * Waits until the lag is 0 on the events and retry topics, reading it every poll interval (and
   * once more at the deadline). A read that fails for a reason that passes with time (a Kafka
   * {@code RetriableException}: broker down, no leader) is tried again at the next interval.
   *
   * @param timeout how long to wait at most, positive
   * @return the status that showed lag 0, with the job's outcome counts (read after it) when built
   *     with {@link Builder#job}
   * @throws IllegalArgumentException if {@code timeout} is not positive
   * @throws CompletionTimeoutException when the timeout passed first, naming the group, the topics
   *     and the lag left on each (its last status has no counts: they are read only at lag 0)
   * @throws ReprocessException when reading the lag fails for a lasting reason (missing topic,
   *     authorization), or the thread is interrupted (its flag set again)
   */
  public CompletionStatus awaitCompletion(Duration timeout) {
    Options.positive("timeout", timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletionStatus last = null;
    ReprocessException lastError = null;
    while (true) {
      try {
        last = read(false);
        if (last.isComplete() && outcomes != null) {
          last = read(true); // The counts, read after a lag of 0.
        }
        if (last.isComplete()) {
          return last;
        }
      } catch (ReprocessException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
        lastError = e;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        CompletionTimeoutException timedOut = new CompletionTimeoutException(timeout,
            last != null ? last : new CompletionStatus(groupId, java.util.Map.of(), null));
        if (lastError != null) {
          timedOut.addSuppressed(lastError);
        }
        throw timedOut;
      }
      pause(Math.min(left, pollInterval.toNanos()));
    }
  }

  private void pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("interrupted while waiting for group '" + groupId + "' to complete", e);
    }
  }

  /** Closes the admin client (up to 10 s). Idempotent. */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(10));
  }

  /** Builds a {@link KafkaJobCompletion}. Mutable and not thread-safe. */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private String topic;
    private String retryTopic;
    private String groupId;
    private String job;
    private String outcomesTopic;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder() {}

    /** The events topic the job's {@link KafkaEventSink} publishes to, as given to the workers. Required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * The workers' retry topic, as given to {@link KafkaReprocessWorker.Builder#retryTopic}. Default
     * {@code <topic>}{@value KafkaReprocessWorker#RETRY_TOPIC_SUFFIX}.
     */
    public Builder retryTopic(String retryTopic) {
      this.retryTopic = retryTopic;
      return this;
    }

    /** The workers' consumer group id, as given to {@link KafkaReprocessWorker.Builder#groupId}. Required. */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * The job whose outcome counts {@link #status()} adds up, from the workers' outcomes topic (see
     * {@link KafkaReprocessWorker.Builder#outcomesTopic}). Default none: the status has no counts
     * and no outcomes topic is read.
     */
    public Builder job(String job) {
      this.job = job;
      return this;
    }

    /**
     * The workers' outcomes topic, read only with {@link #job}. Default {@code
     * <topic>}{@value KafkaReprocessWorker#OUTCOMES_TOPIC_SUFFIX}.
     */
    public Builder outcomesTopic(String outcomesTopic) {
      this.outcomesTopic = outcomesTopic;
      return this;
    }

    /** The wait between two reads of the lag in {@link #awaitCompletion}, positive. Default 500 ms. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /** The bound on each call to the cluster, positive. Default 30 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Checks the options and creates the admin client (no I/O yet).
     *
     * @throws IllegalArgumentException naming the option, its value and the rule: a missing or
     *     invalid topic or group id, a duration not positive, missing bootstrap servers, a host
     *     producer (this publishes nothing)
     */
    public KafkaJobCompletion build() {
      Options.topic("topic", topic);
      if (retryTopic != null) {
        Options.topic("retryTopic", retryTopic);
      } else {
        Options.topic("retryTopic (topic + '" + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX + "')",
            topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX);
      }
      Options.text("groupId", groupId);
      if (job != null) {
        Options.text("job", job);
      }
      if (outcomesTopic != null) {
        if (job == null) {
          throw new IllegalArgumentException("outcomesTopic is '" + outcomesTopic + "' without job: set job(...) to"
              + " read the outcome counts of that job, or leave outcomesTopic unset");
        }
        Options.topic("outcomesTopic", outcomesTopic);
      }
      Options.positive("pollInterval", pollInterval);
      Options.positive("requestTimeout", requestTimeout);
      KafkaConnection connection = connection();
      if (connection.hostProducer() != null) {
        throw new IllegalArgumentException("producer is set: a KafkaJobCompletion publishes nothing; leave it unset");
      }
      return new KafkaJobCompletion(this, connection);
    }
  }
}
