package dev.reprocess.cassandra.internal;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Which statement a time-bucket paginator binds: the bound at the far end of the read is left out
 * where it is the extreme timeuuid (every bucket but the window's edge one on that side), so the
 * server compares no row with it; the window's edge buckets keep both bounds.
 */
class TimeBucketPaginatorTest {
  private static final UUID WINDOW_FROM = Uuids.startOf(1_704_067_200_000L);
  private static final UUID WINDOW_TO = Uuids.startOf(1_704_153_600_000L);
  private static final UUID LAST = Uuids.startOf(1_704_100_000_000L);

  private final PreparedStatement fromInclusive = statement();
  private final PreparedStatement afterExclusive = statement();
  private final PreparedStatement below = statement();
  private final PreparedStatement fromOnly = statement();
  private final PreparedStatement afterOnly = statement();
  private final TimeBucketPaginator.Statements newestFirst =
      new TimeBucketPaginator.Statements(fromInclusive, null, below, null, null);
  private final TimeBucketPaginator.Statements oldestFirst =
      new TimeBucketPaginator.Statements(fromInclusive, afterExclusive, null, fromOnly, afterOnly);

  private static PreparedStatement statement() {
    PreparedStatement s = mock(PreparedStatement.class);
    BoundStatement bound = mock(BoundStatement.class, RETURNS_SELF);
    when(s.bind(any(Object[].class))).thenReturn(bound);
    return s;
  }

  private static TimeBucketPaginator paginator(TimeBucketPaginator.Statements statements, boolean descending,
      UUID lower, UUID upper) {
    RowSettings rows = new RowSettings(List.of(), 1, null, new StatementOptions(null, null));
    return new TimeBucketPaginator(mock(CqlSession.class), statements, descending, "image/png#2024-01-01",
        "image/png", "2024-01-01", lower, upper, null, 500, rows);
  }

  @Test
  void newestFirstInnerBucketHasNoLowerBound() {
    TimeBucketPaginator p = paginator(newestFirst, true, Timeuuids.MIN, Timeuuids.MAX);
    p.after(null);
    p.after(LAST);
    verify(below).bind("image/png", "2024-01-01", Timeuuids.MAX);
    verify(below).bind("image/png", "2024-01-01", LAST);
    verifyNoInteractions(fromInclusive);
  }

  @Test
  void newestFirstOldestBucketKeepsTheWindowStart() {
    TimeBucketPaginator p = paginator(newestFirst, true, WINDOW_FROM, Timeuuids.MAX);
    p.after(null);
    p.after(LAST);
    verify(fromInclusive).bind("image/png", "2024-01-01", WINDOW_FROM, Timeuuids.MAX);
    verify(fromInclusive).bind("image/png", "2024-01-01", WINDOW_FROM, LAST);
    verifyNoInteractions(below);
  }

  @Test
  void newestFirstNewestBucketStartsBelowTheWindowEnd() {
    TimeBucketPaginator p = paginator(newestFirst, true, Timeuuids.MIN, WINDOW_TO);
    p.after(null);
    verify(below).bind("image/png", "2024-01-01", WINDOW_TO);
    verifyNoInteractions(fromInclusive);
  }

  @Test
  void oldestFirstInnerBucketHasNoUpperBound() {
    TimeBucketPaginator p = paginator(oldestFirst, false, Timeuuids.MIN, Timeuuids.MAX);
    p.after(null);
    p.after(LAST);
    verify(fromOnly).bind("image/png", "2024-01-01", Timeuuids.MIN);
    verify(afterOnly).bind("image/png", "2024-01-01", LAST);
    verifyNoInteractions(fromInclusive, afterExclusive);
  }

  @Test
  void oldestFirstNewestBucketKeepsTheWindowEnd() {
    TimeBucketPaginator p = paginator(oldestFirst, false, Timeuuids.MIN, WINDOW_TO);
    p.after(null);
    p.after(LAST);
    verify(fromInclusive).bind("image/png", "2024-01-01", Timeuuids.MIN, WINDOW_TO);
    verify(afterExclusive).bind("image/png", "2024-01-01", LAST, WINDOW_TO);
    verifyNoInteractions(fromOnly, afterOnly);
  }
}
