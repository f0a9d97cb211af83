package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounded asynchronous reads of partition discovery, on a mocked session. */
class BoundedReadsTest {
  private final CqlSession session = mock(CqlSession.class);

  @SuppressWarnings("unchecked")
  private static List<Statement<?>> statements(int n) {
    List<Statement<?>> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(mock(Statement.class));
    }
    return list;
  }

  private static AsyncResultSet page(Row row, AsyncResultSet next) {
    AsyncResultSet rs = mock(AsyncResultSet.class);
    when(rs.currentPage()).thenReturn(row == null ? List.of() : List.of(row));
    when(rs.hasMorePages()).thenReturn(next != null);
    if (next != null) {
      doReturnNext(rs, next);
    }
    return rs;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void doReturnNext(AsyncResultSet rs, AsyncResultSet next) {
    when(rs.fetchNextPage()).thenReturn((CompletableFuture) CompletableFuture.completedFuture(next));
  }

  @Test
  void everyPageOfEveryStatementReachesTheConsumerWithItsIndex() {
    Row row = mock(Row.class);
    List<Statement<?>> statements = statements(5);
    for (int i = 0; i < 5; i++) {
      AsyncResultSet rs = i % 2 == 0 ? page(row, page(row, page(null, null))) : page(null, null);
      when(session.executeAsync(statements.get(i))).thenReturn(CompletableFuture.completedFuture(rs));
    }
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    BoundedReads.run(session, statements, 2, (index, r) -> seen.add(index), "test");
    assertThat(seen).containsExactlyInAnyOrder(0, 0, 2, 2, 4, 4);
  }

  @Test
  void aTimeoutIsRetriableAndASyntaxErrorIsNotAndNoStatementStartsAfterAFailure() {
    List<Statement<?>> statements = statements(4);
    AtomicInteger started = new AtomicInteger();
    when(session.executeAsync(any(Statement.class))).thenAnswer(call -> {
      started.incrementAndGet();
      return CompletableFuture.failedFuture(new ReadTimeoutException(null, ConsistencyLevel.ONE, 0, 1, false));
    });
    assertThatThrownBy(() -> BoundedReads.run(session, statements, 1, (i, r) -> { }, "partition discovery (PROBE) of ks.t"))
        .isInstanceOf(RetriableException.class).hasMessageStartingWith("partition discovery (PROBE) of ks.t: ReadTimeoutException");
    assertThat(started).hasValue(1);

    CqlSession other = mock(CqlSession.class);
    when(other.executeAsync(any(Statement.class)))
        .thenReturn(CompletableFuture.failedFuture(new SyntaxError(null, "bad")));
    assertThatThrownBy(() -> BoundedReads.run(other, statements, 4, (i, r) -> { }, "scan"))
        .isInstanceOf(ReprocessException.class).isNotInstanceOf(RetriableException.class).hasMessageContaining("bad");
  }
}
