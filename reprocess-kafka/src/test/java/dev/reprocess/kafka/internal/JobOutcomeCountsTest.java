package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.kafka.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class JobOutcomeCountsTest {

  private static WorkItem item(String job, FinalOutcome outcome) {
    ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("ev", 0, 0, new byte[0], new byte[0]);
    if (job != null) {
      r.headers().add(KafkaHeaders.JOB, job.getBytes(StandardCharsets.UTF_8));
    }
    WorkItem item = new WorkItem(r, new PartitionWindow(new TopicPartition("ev", 0)), "k", null);
    item.outcome = outcome;
    return item;
  }

  @Test
  void countsFinalOutcomesPerJobAndNotTheRecordsForwardedToTheRetryTopic() {
    JobOutcomeCounts counts = new JobOutcomeCounts();
    counts.count(item("a", FinalOutcome.SUCCEEDED));
    counts.count(item("a", FinalOutcome.SUCCEEDED));
    counts.count(item("a", FinalOutcome.SKIPPED));
    counts.count(item("a", FinalOutcome.FORWARDED_TO_RETRY));
    counts.count(item("b", FinalOutcome.DEAD_LETTERED));
    counts.count(item("b", FinalOutcome.DEAD_LETTER_FAILED));
    counts.count(item(null, FinalOutcome.DEAD_LETTERED)); // poison without a job header

    Map<String, long[]> changed = counts.changed();
    assertThat(changed).containsOnlyKeys("a", "b");
    assertThat(changed.get("a")).containsExactly(2, 1, 0, 0);
    assertThat(changed.get("b")).containsExactly(0, 0, 1, 1);
  }

  @Test
  void aReportedJobIsNotChangedUntilItCountsAgainAndItsCountsStayCumulative() {
    JobOutcomeCounts counts = new JobOutcomeCounts();
    counts.count(item("a", FinalOutcome.SUCCEEDED));
    counts.count(item("b", FinalOutcome.SUCCEEDED));
    counts.reported(Set.of("a", "b"));
    assertThat(counts.changed()).isEmpty();

    counts.count(item("a", FinalOutcome.SKIPPED));
    assertThat(counts.changed()).containsOnlyKeys("a");
    assertThat(counts.changed().get("a")).containsExactly(1, 1, 0, 0);
  }

  @Test
  void anOutcomeRecordReadsBackAsWrittenAndAForeignValueIsRefused() {
    OutcomeRecord r = new OutcomeRecord("job-1", "w-1-abc", 5, 2, 1, 0, 1234L);
    assertThat(OutcomeRecord.parse(r.value())).isEqualTo(r);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("job-1\nw-1-abc");
    assertThatThrownBy(() -> OutcomeRecord.parse("{\"x\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an outcome record");
  }
}
