package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import com.datastax.oss.driver.api.core.CqlSession;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A window or a bucketing that would change nothing fails in build(), naming the option, without I/O. */
class TableSelectorBuilderTest {
  private static final Instant FROM = Instant.parse("2026-12-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-12-08T00:00:00Z");

  private final CqlSession session = mock(CqlSession.class);

  private TableSelector.Builder listed() {
    return TableSelector.builder(session).table("media.items_by_tenant").partitionValues("tenant", "a", "b")
        .idColumn("item_id");
  }

  @Test
  void aWindowWithNeitherABucketNorATimeColumnIsRefused() {
    assertThatThrownBy(() -> listed().window(FROM, TO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("window is [2026-12-01T00:00:00Z, 2026-12-08T00:00:00Z): it has no effect")
        .hasMessageContaining("bucketColumn").hasMessageContaining("timeColumn");
    verifyNoInteractions(session);
  }

  @Test
  void aBucketingWithoutABucketColumnIsRefused() {
    assertThatThrownBy(() -> listed().timeColumn("added").window(FROM, TO).bucketing(Bucketing.hourly()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bucketing is " + Bucketing.hourly() + ": it has no effect without a bucketColumn");
    verifyNoInteractions(session);
  }

  @Test
  void aWindowThatChoosesBucketsOrBoundsATimeColumnBuilds() {
    assertThat(listed().build().describe()).contains("no bucket");
    assertThat(listed().timeColumn("added").window(FROM, TO).build().describe()).contains(FROM.toString());
    assertThat(TableSelector.builder(session).table("media.items_by_day").bucketColumn("day")
        .bucketing(Bucketing.daily()).window(FROM, TO).idColumn("item_id").build().describe()).contains("day");
    verifyNoInteractions(session);
  }
}
