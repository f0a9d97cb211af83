package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseLostException;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The pure parts of a distributed job: commit positions, shard job names, records, verdicts. */
class DistributedPartsTest {
  private static final TopicPartition P0 = new TopicPartition("job.shards", 0);

  @Test
  void aCommitNeverPassesAShardThatIsNotCompleteWhateverOrderTheyCompleteIn() {
    ShardOffsets offsets = new ShardOffsets();
    offsets.read(P0, 3);
    offsets.read(P0, 4);
    offsets.read(P0, 5);
    assertThat(offsets.toCommit(Map.of(P0, 6L))).isEqualTo(Map.of(P0, new OffsetAndMetadata(3)));
    offsets.committed(Map.of(P0, new OffsetAndMetadata(3)));
    offsets.done(P0, 5);
    assertThat(offsets.toCommit(Map.of(P0, 6L))).as("4 is still running").isEmpty();
    offsets.done(P0, 3);
    assertThat(offsets.toCommit(Map.of(P0, 6L))).isEqualTo(Map.of(P0, new OffsetAndMetadata(4)));
    offsets.done(P0, 4);
    // The position, past the transaction's marker, once nothing is pending.
    assertThat(offsets.toCommit(Map.of(P0, 7L))).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
    assertThat(offsets.pendingCount()).isZero();
  }

  @Test
  void aForgottenPartitionIsNeitherPendingNorCommitted() {
    ShardOffsets offsets = new ShardOffsets();
    offsets.read(P0, 0);
    offsets.forget(List.of(P0));
    offsets.done(P0, 0);
    assertThat(offsets.pendingCount()).isZero();
    assertThat(offsets.toCommit(Map.of())).isEmpty();
  }

  @Test
  void partitionAndHostJobNamesAreValidJobNamesEvenForTheLongestJobName() {
    assertThat(ShardJobs.partitionJob("backfill", 7)).isEqualTo("backfill.p7");
    assertThat(ShardJobs.hostJob("backfill", 2)).isEqualTo("backfill.host-2");
    String longest = "j".repeat(DistributedSettings.MAX_NAME_LENGTH);
    assertThat(ShardJobs.partitionJob(longest, 9_999)).matches(ReprocessJob.NAME_PATTERN);
    assertThat(ShardJobs.hostJob(longest, Integer.MAX_VALUE)).matches(ReprocessJob.NAME_PATTERN);
  }

  @Test
  void aShardRecordReadsBackAsItWasWrittenAndGarbageIsRefusedNamingWhere() {
    Shard shard = new Shard("video/mp4#2024-06-02", "video/mp4", Map.of("bucket", "2024-06-02"));
    ShardRecord record = new ShardRecord("backfill", "abc", shard);
    assertThat(ShardRecord.parse(record.value(), "t-0@0")).isEqualTo(record);
    assertThat(ShardRecord.parse(new ShardRecord("j", "f", Shard.of("s", null)).value(), "t-0@1").shards().get(0)
        .assetType()).isNull();
    assertThatThrownBy(() -> ShardRecord.parse("not json".getBytes(), "t-3@7"))
        .isInstanceOf(ReprocessException.class).hasMessageContaining("t-3@7");
  }

  @Test
  void aRecordOfOneShardKeepsTheFormAndKeyOfEarlierRecords() throws Exception {
    Shard shard = new Shard("png#2024-06-02", "image/png", Map.of());
    ShardRecord record = new ShardRecord("backfill", "abc", shard);
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("png#2024-06-02");
    // The value as written before records carried groups: still read, and still written so.
    String before = "{\"job\":\"backfill\",\"fingerprint\":\"abc\",\"shard\":{\"id\":\"png#2024-06-02\","
        + "\"assetType\":\"image/png\",\"properties\":{}}}";
    assertThat(ShardRecord.parse(before.getBytes(StandardCharsets.UTF_8), "t-0@0")).isEqualTo(record);
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(before);
  }

  @Test
  void shardsAreGroupedInTheSelectorsOrderAndAGroupReadsBackWithItsRangeAsId() {
    List<Shard> shards = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      shards.add(new Shard("png#" + i, "image/png", Map.of("bucket", Integer.toString(i))));
    }
    List<ShardRecord> records = ShardRecord.of("backfill", "f", shards, 4);
    assertThat(records).extracting(ShardRecord::id).containsExactly("png#1..png#4", "png#5..png#8", "png#9..png#10");
    assertThat(records).flatExtracting(ShardRecord::shards).isEqualTo(shards);
    assertThat(ShardRecord.parse(records.get(0).value(), "t-0@0")).isEqualTo(records.get(0));
    assertThat(new String(records.get(2).key(), StandardCharsets.UTF_8)).isEqualTo("png#9..png#10");
    assertThat(ShardRecord.of("backfill", "f", shards.subList(0, 9), 4).get(2).id()).as("a last group of one")
        .isEqualTo("png#9");
    assertThatThrownBy(() -> new ShardRecord("j", "f", List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theGroupingIsPartOfTheFingerprintExceptOneShardPerRecordWhichKeepsTheEarlierOne() {
    List<Shard> shards = List.of(Shard.of("a", null), Shard.of("b", null));
    assertThat(ShardRecord.fingerprint("k=v", shards, 1)).isEqualTo(ShardRecord.fingerprint("k=v", shards));
    assertThat(ShardRecord.fingerprint("k=v", shards, 16)).isNotEqualTo(ShardRecord.fingerprint("k=v", shards))
        .isNotEqualTo(ShardRecord.fingerprint("k=v", shards, 32));
  }

  @Test
  void theFingerprintFollowsTheDefinitionOrElseTheShardIds() {
    List<Shard> shards = List.of(Shard.of("a", null), Shard.of("b", null));
    assertThat(ShardRecord.fingerprint("k=v", shards)).isEqualTo(ShardRecord.fingerprint("k=v", List.of()))
        .isNotEqualTo(ShardRecord.fingerprint("k=w", shards));
    assertThat(ShardRecord.fingerprint(null, shards)).isNotEqualTo(ShardRecord.fingerprint(null, shards.subList(0, 1)));
  }

  @Test
  void aShardHeldElsewhereIsTriedAgainAndOnlyOtherFailuresFailTheHost() {
    assertThat(ShardJobs.verdict(report(JobStatus.COMPLETED, null))).isEqualTo(ShardJobs.Verdict.COMPLETE);
    assertThat(ShardJobs.verdict(report(JobStatus.CANCELLED, null))).isEqualTo(ShardJobs.Verdict.STOPPED);
    assertThat(ShardJobs.verdict(report(JobStatus.FAILED, new ReprocessException("wrapped",
        new LeaseLostException("taken over"))))).isEqualTo(ShardJobs.Verdict.HELD_ELSEWHERE);
    assertThat(ShardJobs.verdict(report(JobStatus.FAILED, new ReprocessException("boom"))))
        .isEqualTo(ShardJobs.Verdict.FAILED);
  }

  @Test
  void theGroupIsCompleteOnlyOnceEveryPartitionWithRecordsIsCommittedToItsEnd() {
    TopicPartition p1 = new TopicPartition("job.shards", 1);
    assertThat(GroupCompletion.isComplete(Map.of(P0, 0L, p1, 0L), Map.of())).as("nothing published").isFalse();
    assertThat(GroupCompletion.isComplete(Map.of(P0, 4L, p1, 0L), Map.of(P0, new OffsetAndMetadata(3)))).isFalse();
    assertThat(GroupCompletion.isComplete(Map.of(P0, 4L, p1, 0L), Map.of(P0, new OffsetAndMetadata(4)))).isTrue();
  }

  private static JobReport report(JobStatus status, Throwable cause) {
    return new JobReport("j", status, 0, 0, 0, 0, 0, 0, Duration.ZERO, 0, Map.of(), "log", 0, 1, cause, List.of());
  }
}
