package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A job's in-process handler runs with its event's MDC keys, on every attempt. */
class HandlerMdcTest {

  @Test
  void everyAttemptSeesItsEventsJobShardAndEventIdAndNothingElsesThatTheThreadHadBefore() {
    List<String> mismatches = new CopyOnWriteArrayList<>();
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    List<String> eventIdsSeen = new CopyOnWriteArrayList<>();
    JobReport report = ReprocessJob.builder("mdc-job")
        .selector(InMemorySelector.ofIds(ids(40), 4))
        .handler(event -> {
          String seen = MDC.get(MdcKeys.JOB) + "/" + MDC.get(MdcKeys.SHARD) + "/" + MDC.get(MdcKeys.EVENT);
          String expected = event.jobName() + "/" + event.shardId() + "/" + event.eventId();
          if (!seen.equals(expected)) {
            mismatches.add(event.assetId() + " attempt " + event.attempt() + ": " + seen + " != " + expected);
          }
          eventIdsSeen.add(MDC.get(MdcKeys.EVENT));
          // What a handler sets under the keys does not reach the thread's next call.
          MDC.put(MdcKeys.SHARD, "set-by-the-handler");
          MDC.put(MdcKeys.JOB, "set-by-the-handler");
          int attempt = attempts.merge(event.assetId(), 1, Integer::sum);
          if (event.assetId().endsWith("7") && attempt < 3) {
            throw new IllegalStateException("busy");
          }
          if (event.assetId().endsWith("3")) {
            throw new IllegalArgumentException("never");
          }
          return Outcome.SUCCEEDED;
        })
        .concurrency(4)
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
        .deadLetterSink(new InMemoryDeadLetterSink())
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(36);
    assertThat(report.deadLettered()).isEqualTo(4);
    assertThat(mismatches).isEmpty();
    // 40 first attempts, 2 retries of each of the 4 assets ending in 7.
    assertThat(eventIdsSeen).hasSize(48).doesNotContainNull();
    assertThat(MDC.get(MdcKeys.EVENT)).isNull();
  }
}
