package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupLagTest {

  private static TopicPartition tp(String topic, int p) {
    return new TopicPartition(topic, p);
  }

  @Test
  void lagIsEndMinusCommittedPerTopicAndFromTheStartWhereTheGroupNeverCommitted() {
    Map<TopicPartition, Long> ends = Map.of(tp("ev", 0), 100L, tp("ev", 1), 50L, tp("ev.retry", 0), 7L);
    Map<TopicPartition, Long> starts = Map.of(tp("ev", 0), 0L, tp("ev", 1), 20L, tp("ev.retry", 0), 0L);
    Map<TopicPartition, Long> committed = Map.of(tp("ev", 0), 90L);

    Map<String, Long> lag = GroupLag.lagByTopic(List.of("ev", "ev.retry"), committed, starts, ends);

    // ev-0: 100 - 90; ev-1: never committed, 50 - 20 (records before 20 are deleted); retry: 7 - 0.
    assertThat(lag).containsExactly(Map.entry("ev", 40L), Map.entry("ev.retry", 7L));
  }

  @Test
  void committedAtTheEndIsZeroAndAnEmptyTopicIsReportedWithZero() {
    Map<TopicPartition, Long> ends = Map.of(tp("ev", 0), 100L);
    Map<String, Long> lag = GroupLag.lagByTopic(List.of("ev", "ev.retry"), Map.of(tp("ev", 0), 100L),
        Map.of(tp("ev", 0), 0L), ends);
    assertThat(lag).containsExactly(Map.entry("ev", 0L), Map.entry("ev.retry", 0L));
  }

  @Test
  void aCommittedOffsetPastTheEndCountsAsZeroNotNegative() {
    // After records were deleted and the partition recreated, a stale commit can be past the end.
    Map<String, Long> lag = GroupLag.lagByTopic(List.of("ev"), Map.of(tp("ev", 0), 30L), Map.of(tp("ev", 0), 0L),
        Map.of(tp("ev", 0), 10L));
    assertThat(lag).containsExactly(Map.entry("ev", 0L));
  }
}
