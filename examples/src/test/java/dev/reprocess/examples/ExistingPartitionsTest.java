package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.TimeBucketSelector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExistingPartitionsTest {

  private static Shard shard(String type, String day) {
    return new Shard(type + "#" + day, type, Map.of(TimeBucketSelector.PROPERTY_ASSET_TYPE, type,
        TimeBucketSelector.PROPERTY_BUCKET, day));
  }

  @Test
  void keepsOnlyTheShardsOfPartitionsThatExistInTheDelegatesOrder() {
    TimeBucketSelector delegate = mock(TimeBucketSelector.class);
    when(delegate.shards()).thenReturn(List.of(shard("image/png", "2024-06-01"), shard("image/gif", "2024-06-01"),
        shard("image/png", "2024-06-02"), shard("image/gif", "2024-06-02")));
    ExistingPartitions selector = new ExistingPartitions(delegate, List.of(
        new Catalog.Partition("image/gif", "2024-06-02"), new Catalog.Partition("image/png", "2024-06-01"),
        new Catalog.Partition("text/plain", "2024-06-01")));

    assertThat(selector.shards()).extracting(Shard::id).containsExactly("image/png#2024-06-01", "image/gif#2024-06-02");
  }

  @Test
  void readingAndClosingGoToTheDelegate() {
    TimeBucketSelector delegate = mock(TimeBucketSelector.class);
    Paginator paginator = mock(Paginator.class);
    Shard shard = shard("image/png", "2024-06-01");
    when(delegate.open(shard, Cursor.of("c"), 50)).thenReturn(paginator);
    ExistingPartitions selector = new ExistingPartitions(delegate, List.of());

    assertThat(selector.open(shard, Cursor.of("c"), 50)).isSameAs(paginator);
    selector.close();
    verify(delegate).close();
  }
}
