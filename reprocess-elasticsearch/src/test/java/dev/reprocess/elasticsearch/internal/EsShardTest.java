package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Shard;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EsShardTest {

  @Test
  void idsNameTheIndexTheShardAndTheSlice() {
    assertThat(new EsShard("assets", 0, 0, 1).id()).isEqualTo("assets[0]");
    assertThat(new EsShard("assets-2024", 3, 1, 4).id()).isEqualTo("assets-2024[3]/slice-1-of-4");
  }

  @Test
  void roundTripsThroughAnEngineShard() {
    EsShard es = new EsShard("assets", 2, 3, 4);
    Shard shard = es.toShard();
    assertThat(shard.assetType()).isNull();
    assertThat(EsShard.from(new Shard(shard.id(), null, shard.properties()))).isEqualTo(es);
  }

  @Test
  void keepsTheAliasFilterOutOfTheIdButInTheProperties() {
    EsShard filtered = new EsShard("assets", 1, 0, 2, "{\"term\":{\"batch\":{\"value\":\"b5\"}}}");
    Shard shard = filtered.toShard();
    assertThat(shard.id()).isEqualTo("assets[1]/slice-0-of-2");
    assertThat(EsShard.from(shard)).isEqualTo(filtered);
  }

  @Test
  void keepsTheBaseOfItsSlicesOutOfTheIdButInTheProperties() {
    EsShard based = new EsShard("assets", 1, 2, 4).withBase(199_999);
    Shard shard = based.toShard();
    assertThat(shard.id()).isEqualTo("assets[1]/slice-2-of-4");
    assertThat(shard.properties()).containsEntry("base", "199999");
    assertThat(EsShard.from(shard)).isEqualTo(based);
    assertThat(EsShard.from(new EsShard("assets", 1, 2, 4).toShard()).base()).isNull();
  }

  @Test
  void rejectsShardsOfOtherSelectors() {
    assertThatThrownBy(() -> EsShard.from(Shard.of("image/png#2024-06-01", "image/png")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shard 'image/png#2024-06-01' was not produced by ElasticsearchSelector.shards()");
    Shard tampered = new Shard("assets[9]", null, Map.of("index", "assets", "shard", "0", "slice", "0", "slices", "1"));
    assertThatThrownBy(() -> EsShard.from(tampered)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
  }
}
