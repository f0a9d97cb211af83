package dev.reprocess.kafka;

import dev.reprocess.ReprocessException;
import dev.reprocess.kafka.internal.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates missing topics and waits until they can be used.
 *
 * <p>Every method here returns only once every partition of every topic has a leader that answers
 * a ListOffsets request, and fails with a {@link ReprocessException} naming the partitions that did
 * not when the timeout passes: a producer started on a topic that is not ready yet can lose records
 * silently (see "Why the wait after creating topics" in the module's README). Never a hang: every
 * call to the cluster is bounded by the timeout.
 *
 * <p>Thread-safe (stateless). Methods that take an {@link Admin} never close it.
 */
public final class KafkaTopics {

  /** The default timeout of the overloads that take none: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

  private KafkaTopics() {}

  /**
   * Creates the topics that do not exist yet, with their partitions, replication factor and
   * configs (existing topics are left as they are), then waits until every partition of every
   * topic is ready (see the class comment). An existing topic whose partition count is not the
   * spec's is used as it is, with a warning naming both counts (Kafka never removes partitions;
   * {@code kafka-topics.sh --alter --partitions} adds some).
   *
   * @param admin an admin client, not closed here
   * @param topics the topics; at least one
   * @param timeout the bound on the whole call, positive
   * @throws IllegalArgumentException if {@code topics} is empty or {@code timeout} not positive
   * @throws ReprocessException if the cluster cannot be reached, refuses a creation, or a
   *     partition is not ready within the timeout
   */
  public static void ensureTopics(Admin admin, Collection<TopicSpec> topics, Duration timeout) {
    requireTimeout(timeout);
    if (topics == null || topics.isEmpty()) {
      throw new IllegalArgumentException("topics is " + topics + ": name at least one topic");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> names = new LinkedHashSet<>();
    topics.forEach(t -> names.add(t.name()));
    Set<String> existing = call("list topics", timeout, deadline,
        admin.listTopics(new ListTopicsOptions().listInternal(false).timeoutMs(remainingMs(deadline))).names());
    List<NewTopic> missing = new ArrayList<>();
    for (TopicSpec t : topics) {
      if (!existing.contains(t.name())) {
        missing.add(new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.configs()));
      }
    }
    if (!missing.isEmpty()) {
      var result = admin.createTopics(missing, new CreateTopicsOptions().timeoutMs(remainingMs(deadline)));
      for (Map.Entry<String, KafkaFuture<Void>> e : result.values().entrySet()) {
        try {
          call("create topic '" + e.getKey() + "'", timeout, deadline, e.getValue());
          log.info("created topic '{}'", e.getKey());
        } catch (ReprocessException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
        }
      }
    }
    Map<String, TopicDescription> ready = awaitReady(admin, names, timeout, deadline);
    for (TopicSpec t : topics) {
      TopicDescription d = ready.get(t.name());
      if (existing.contains(t.name()) && d != null && d.partitions().size() != t.partitions()) {
        log.warn("topic '{}' exists with {} partitions, not the {} asked for: it is used as it is (Kafka never removes"
            + " partitions; kafka-topics.sh --alter --partitions adds some)", t.name(), d.partitions().size(),
            t.partitions());
      }
    }
  }

  /**
   * {@link #ensureTopics(Admin, Collection, Duration)} with an admin client created from the
   * given properties (TLS and SASL settings pass through) and closed before returning.
   *
   * @param bootstrapServers {@code host:port[,host:port...]}, or {@code null} if the properties
   *     hold {@code bootstrap.servers}
   */
  public static void ensureTopics(String bootstrapServers, Map<String, ?> kafkaProperties,
      Collection<TopicSpec> topics, Duration timeout) {
    requireTimeout(timeout);
    Map<String, Object> config = new KafkaConnection(bootstrapServers, kafkaProperties, null)
        .adminConfig(timeout, "reprocess-topics");
    try (Admin admin = Admin.create(config)) {
      ensureTopics(admin, topics, timeout);
    } catch (ReprocessException e) {
      throw new ReprocessException(e.getMessage() + " (bootstrap servers " + config.get("bootstrap.servers") + ")", e.getCause());
    }
  }

  /**
   * Checks that the topics exist, then waits until they are ready (see the class comment). Use it
   * where topics must not be created implicitly.
   *
   * @throws ReprocessException naming every missing topic, or the partitions not ready in time
   */
  public static void requireTopics(Admin admin, Collection<String> topics, Duration timeout) {
    requireTimeout(timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> names = new LinkedHashSet<>(topics);
    var described = admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> e : described.topicNameValues().entrySet()) {
      try {
        call("describe topic '" + e.getKey() + "'", timeout, deadline, e.getValue());
      } catch (ReprocessException ex) {
        if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
          missing.add(e.getKey());
        } else {
          throw ex;
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new ReprocessException("topic" + (missing.size() > 1 ? "s " : " ") + missing
          + " does not exist, and Reprocess never relies on auto-creation: create "
          + (missing.size() > 1 ? "them" : "it") + " first, e.g. with KafkaTopics.ensureTopics(...)");
    }
    awaitReady(admin, names, timeout, deadline);
  }

  /**
   * Waits until every partition of the topics has a leader that answers a ListOffsets request.
   *
   * @throws ReprocessException if that does not happen within the timeout
   */
  public static void awaitReady(Admin admin, Collection<String> topics, Duration timeout) {
    requireTimeout(timeout);
    awaitReady(admin, new LinkedHashSet<>(topics), timeout, System.nanoTime() + timeout.toNanos());
  }

  /** Returns the topics' descriptions once they are ready. */
  private static Map<String, TopicDescription> awaitReady(Admin admin, Set<String> names, Duration timeout,
      long deadline) {
    long pauseMs = 20;
    String lastProblem = "not checked yet";
    while (true) {
      try {
        Map<String, TopicDescription> descriptions = call("describe topics " + names, timeout, deadline,
            admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline))).allTopicNames());
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        List<String> leaderless = new ArrayList<>();
        for (TopicDescription d : descriptions.values()) {
          for (TopicPartitionInfo p : d.partitions()) {
            if (p.leader() == null || p.leader().isEmpty() || p.leader().id() < 0) {
              leaderless.add(d.name() + "-" + p.partition());
            }
            request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
          }
        }
        if (leaderless.isEmpty()) {
          call("list offsets of " + request.size() + " partitions", timeout, deadline,
              admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(remainingMs(deadline))).all());
          return descriptions;
        }
        lastProblem = "partitions without a leader: " + leaderless;
      } catch (ReprocessException e) {
        if (e.getCause() instanceof TimeoutException || remainingMs(deadline) <= 0) {
          throw new ReprocessException("topics " + names + " are not ready after " + timeout + ": " + e.getMessage(), e.getCause());
        }
        lastProblem = e.getMessage();
      }
      if (remainingMs(deadline) <= pauseMs) {
        throw new ReprocessException("topics " + names + " are not ready after " + timeout + ": " + lastProblem);
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReprocessException("interrupted while waiting for topics " + names + " to be ready", e);
      }
      pauseMs = Math.min(500, pauseMs * 2);
    }
  }

  private static <T> T call(String what, Duration timeout, long deadline, KafkaFuture<T> future) {
    try {
      return future.get(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ReprocessException("Kafka did not answer '" + what + "' within " + timeout
          + ": are the bootstrap servers reachable?", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new ReprocessException("Kafka did not answer '" + what + "' within " + timeout
            + ": are the bootstrap servers reachable? (" + cause.getMessage() + ")", new TimeoutException(cause.getMessage()));
      }
      throw new ReprocessException("cannot " + what + ": " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("interrupted while waiting to " + what, e);
    }
  }

  private static int remainingMs(long deadline) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ms));
  }

  private static void requireTimeout(Duration timeout) {
    Options.positive("timeout", timeout);
  }
}
