package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.Shard;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionValuesTest {
  private final PartitionValues partitions = new PartitionValues(List.of(
      new PartitionValues.Column(CqlIdentifier.fromCql("tenant"), DataTypes.TEXT, List.of("a", "b")),
      new PartitionValues.Column(CqlIdentifier.fromCql("asset_type"), DataTypes.TEXT, List.of("image", "video")),
      new PartitionValues.Column(CqlIdentifier.fromCql("day"), DataTypes.DATE,
          List.of(LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 2)))), 1);

  @Test
  void shardsAreTheProductWithStableIdsTheLastColumnFastest() {
    List<Shard> shards = partitions.shards(100);
    assertThat(shards).extracting(Shard::id).hasSize(8).startsWith(
        "tenant=a/asset_type=image/day=2026-12-01", "tenant=a/asset_type=image/day=2026-12-02",
        "tenant=a/asset_type=video/day=2026-12-01").endsWith("tenant=b/asset_type=video/day=2026-12-02");
    assertThat(shards.get(2).assetType()).isEqualTo("video");
    assertThat(partitions.valuesOf(shards.get(7))).containsExactly("b", "video", LocalDate.of(2026, 12, 2));
  }

  @Test
  void valuesThatLookLikeSeparatorsNeverMakeTwoPartitionsShareAnId() {
    PartitionValues tricky = new PartitionValues(List.of(
        new PartitionValues.Column(CqlIdentifier.fromCql("t1"), DataTypes.TEXT, List.of("a/t2=b", "a")),
        new PartitionValues.Column(CqlIdentifier.fromCql("t2"), DataTypes.TEXT, List.of("c", "b/t2=c"))), -1);
    List<Shard> shards = tricky.shards(10);
    assertThat(shards).extracting(Shard::id).doesNotHaveDuplicates().contains("t1=a%2Ft2%3Db/t2=c");
    assertThat(tricky.valuesOf(shards.get(0))).containsExactly("a/t2=b", "c");
  }

  @Test
  void tooManyShardsOrAForeignShardAreRefused() {
    assertThatThrownBy(() -> partitions.shards(7)).hasMessageContaining("more than 7 shards");
    assertThatThrownBy(() -> partitions.valuesOf(new Shard("image/png#2026-12-01", "image/png", Map.of())))
        .hasMessageContaining("property 'pk.tenant' is missing");
  }

  @Test
  void aListedValueOfTheWrongTypeIsRefusedNamingTheOption() {
    PartitionValues.Column shardNo =
        new PartitionValues.Column(CqlIdentifier.fromCql("shard_no"), DataTypes.INT, List.of(0, 1L));
    assertThatThrownBy(() -> PartitionValues.checkTypes("partitionValues", shardNo))
        .hasMessageContaining("partitionValues[1] of shard_no is '1' (Long): column shard_no is int");
  }
}
