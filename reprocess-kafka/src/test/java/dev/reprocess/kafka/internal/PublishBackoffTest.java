package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** A fenced shard publisher's waits: jittered, growing, capped, and ending at the deadline. */
class PublishBackoffTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void waitsGrowFrom100MillisDoublingUpTo5SecondsEachWithin50To150Percent() {
    PublishBackoff backoff = new PublishBackoff(Duration.ofHours(1), nanos::get, new Random(7));
    for (int attempt = 1; attempt <= 12; attempt++) {
      long base = Math.min(100L << (attempt - 1), 5_000L);
      Duration wait = backoff.afterFailedAttempt().orElseThrow();
      assertThat(wait.toMillis()).as("after attempt " + attempt)
          .isBetween(base / 2, Math.min(base * 3 / 2, 5_000L));
    }
    assertThat(backoff.failedAttempts()).isEqualTo(12);
  }

  @Test
  void publishersFencedTogetherWaitDifferentTimes() {
    List<Duration> waits = new ArrayList<>();
    Random shared = new Random(11);
    for (int publisher = 0; publisher < 5; publisher++) {
      waits.add(new PublishBackoff(Duration.ofMinutes(1), nanos::get, shared).afterFailedAttempt().orElseThrow());
    }
    assertThat(waits).doesNotHaveDuplicates();
  }

  @Test
  void noWaitEndsPastTheDeadlineAndOnceItIsReachedThePublisherGivesUp() {
    PublishBackoff backoff = new PublishBackoff(Duration.ofSeconds(10), nanos::get, new Random(3));
    nanos.addAndGet(Duration.ofMillis(9_950).toNanos());
    assertThat(backoff.afterFailedAttempt()).hasValueSatisfying(
        wait -> assertThat(wait).isLessThanOrEqualTo(Duration.ofMillis(50)));
    nanos.addAndGet(Duration.ofMillis(50).toNanos());
    assertThat(backoff.afterFailedAttempt()).isEqualTo(Optional.empty());
    assertThat(backoff.elapsed()).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.failedAttempts()).isEqualTo(2);
  }

  @Test
  void fencingAndPassingFailuresAreWorthAnotherAttemptOthersAreNot() {
    assertThat(ShardPublisher.worthAnotherAttempt(new ProducerFencedException("fenced"))).isTrue();
    assertThat(ShardPublisher.worthAnotherAttempt(new InvalidProducerEpochException("epoch"))).isTrue();
    // What an immediate retry got in a run of DistributedSelectionIT: its transaction aborted under it.
    assertThat(ShardPublisher.worthAnotherAttempt(new InvalidTxnStateException("invalid state"))).isTrue();
    assertThat(ShardPublisher.worthAnotherAttempt(
        new KafkaException("in an error state", new ProducerFencedException("fenced")))).isTrue();
    assertThat(ShardPublisher.worthAnotherAttempt(new TimeoutException("slow"))).isTrue();
    // What the producer threw in a CI run when the broker failed an EndTxn while publishers fenced each other.
    assertThat(ShardPublisher.worthAnotherAttempt(new KafkaException("Unhandled error in EndTxnResponse: "
        + Errors.UNKNOWN_SERVER_ERROR.message()))).isTrue();
    assertThat(ShardPublisher.worthAnotherAttempt(new UnknownServerException("broker failed"))).isTrue();
    assertThat(ShardPublisher.worthAnotherAttempt(new TopicAuthorizationException("denied"))).isFalse();
    assertThat(ShardPublisher.worthAnotherAttempt(new KafkaException("bad config"))).isFalse();
  }
}
