package dev.reprocess.kafka;

import java.util.Map;

/**
 * Where the workers of a job whose sink is Kafka stand, read by {@link KafkaJobCompletion#status()}.
 * Immutable.
 *
 * @param groupId the workers' consumer group
 * @param lagByTopic the group's lag on the events topic and on its retry topic, in that order: per
 *     topic, the records not yet committed by the group (a record is committed once final: see
 *     {@link KafkaJobCompletion}); copied, never null
 * @param outcomes the job's events finished by the workers, per outcome, read after the lag; {@code
 *     null} when the completion was built without {@link KafkaJobCompletion.Builder#job}
 */
public record CompletionStatus(String groupId, Map<String, Long> lagByTopic, JobOutcomes outcomes) {

  public CompletionStatus {
    lagByTopic = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(lagByTopic));
  }

  /** The group's lag on the events and retry topics together, in records. */
  public long lag() {
    return lagByTopic.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * True when the lag is 0 on both topics: every record published to them so far is final (see
   * {@link KafkaJobCompletion} for the exact guarantee).
   */
  public boolean isComplete() {
    return lag() == 0;
  }

  /** For messages: {@code group 'g': lag 12 on 'events', 3 on 'events.retry'}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("group '").append(groupId).append("': lag");
    String sep = " ";
    for (Map.Entry<String, Long> e : lagByTopic.entrySet()) {
      s.append(sep).append(e.getValue()).append(" on '").append(e.getKey()).append("'");
      sep = ", ";
    }
    if (outcomes != null) {
      s.append("; job '").append(outcomes.job()).append("': ").append(outcomes.succeeded()).append(" succeeded, ")
          .append(outcomes.skipped()).append(" skipped, ").append(outcomes.deadLettered()).append(" dead-lettered");
      if (outcomes.deadLetterFailed() > 0) {
        s.append(", ").append(outcomes.deadLetterFailed()).append(" skipped for a failed dead letter");
      }
      s.append(" (").append(outcomes.workers()).append(" workers)");
    }
    return s.toString();
  }
}
