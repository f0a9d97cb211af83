package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.RetriableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The paging contract on scripted driver pages: one page per driver page, the next one fetched
 * ahead, a failed read retried from the last position handed out, filtered-out pages skipped.
 * Rows are numbers; the "row filter" drops even numbers when enabled.
 */
class PrefetchingPaginatorTest {

  private final Map<AsyncResultSet, List<Integer>> rows = new IdentityHashMap<>();

  private AsyncResultSet page(CompletionStage<AsyncResultSet> next, Integer... values) {
    AsyncResultSet rs = mock(AsyncResultSet.class);
    when(rs.remaining()).thenReturn(values.length);
    when(rs.hasMorePages()).thenReturn(next != null);
    if (next != null) {
      when(rs.fetchNextPage()).thenReturn(next);
    }
    rows.put(rs, List.of(values));
    return rs;
  }

  private final class Scripted extends PrefetchingPaginator {
    final Deque<CompletionStage<AsyncResultSet>> queries = new ArrayDeque<>();
    final List<Integer> queriedFrom = new ArrayList<>();
    final boolean filterEvens;
    Integer position;

    Scripted(boolean filterEvens) {
      this.filterEvens = filterEvens;
    }

    RuntimeException queryFails;
    RuntimeException readFails;

    @Override
    protected CompletionStage<AsyncResultSet> query() {
      queriedFrom.add(position);
      if (queryFails != null) {
        RuntimeException e = queryFails;
        queryFails = null;
        throw e;
      }
      return queries.removeFirst();
    }

    @Override
    protected CompletionStage<AsyncResultSet> read(AsyncResultSet page, List<AssetRef> out) {
      if (readFails != null) {
        RuntimeException e = readFails;
        readFails = null;
        throw e;
      }
      for (int v : rows.get(page)) {
        position = v;
        if (!filterEvens || v % 2 != 0) {
          out.add(AssetRef.of("id-" + v, "t"));
        }
      }
      return null;
    }

    @Override
    protected Cursor cursor(boolean last) {
      return position == null ? null : Cursor.of(position.toString());
    }

    @Override
    protected String what() {
      return "shard t#1";
    }
  }

  private static List<String> ids(Page p) {
    return p.assets().stream().map(AssetRef::assetId).toList();
  }

  @Test
  void eachDriverPageIsOnePageWithTheLastRowAsCursor() {
    AsyncResultSet third = page(null, 5);
    AsyncResultSet second = page(CompletableFuture.completedFuture(third), 3, 4);
    AsyncResultSet first = page(CompletableFuture.completedFuture(second), 1, 2);
    Scripted p = new Scripted(false);
    p.queries.add(CompletableFuture.completedFuture(first));

    Page a = p.nextPage();
    Page b = p.nextPage();
    Page c = p.nextPage();
    assertThat(ids(a)).containsExactly("id-1", "id-2");
    assertThat(a.cursor()).isEqualTo(Cursor.of("2"));
    assertThat(a.last()).isFalse();
    assertThat(ids(b)).containsExactly("id-3", "id-4");
    assertThat(ids(c)).containsExactly("id-5");
    assertThat(c.last()).isTrue();
    assertThat(p.queriedFrom).hasSize(1); // one query for the whole shard
  }

  @Test
  void aFailedPrefetchIsReadAgainFromTheLastIdHandedOut() {
    CompletableFuture<AsyncResultSet> failed = CompletableFuture.failedFuture(new DriverTimeoutException("slow"));
    AsyncResultSet first = page(failed, 1, 2);
    AsyncResultSet again = page(null, 3);
    Scripted p = new Scripted(false);
    p.queries.add(CompletableFuture.completedFuture(first));
    p.queries.add(CompletableFuture.completedFuture(again));

    assertThat(ids(p.nextPage())).containsExactly("id-1", "id-2");
    assertThatThrownBy(p::nextPage).isInstanceOf(RetriableException.class).hasMessageContaining("shard t#1");
    Page retried = p.nextPage();
    assertThat(ids(retried)).containsExactly("id-3");
    assertThat(retried.last()).isTrue();
    assertThat(p.queriedFrom).containsExactly(null, 2);
  }

  @Test
  void pagesTheFilterEmptiesAreSkippedButAdvanceTheCursor() {
    AsyncResultSet third = page(null, 6);
    AsyncResultSet second = page(CompletableFuture.completedFuture(third), 7);
    AsyncResultSet first = page(CompletableFuture.completedFuture(second), 2, 4);
    Scripted p = new Scripted(true);
    p.queries.add(CompletableFuture.completedFuture(first));

    Page a = p.nextPage();
    assertThat(ids(a)).containsExactly("id-7");
    assertThat(a.cursor()).isEqualTo(Cursor.of("7"));
    Page b = p.nextPage();
    assertThat(b.assets()).isEmpty();
    assertThat(b.last()).isTrue();
    assertThat(b.cursor()).isEqualTo(Cursor.of("6"));
  }

  @Test
  void anEmptyShardGivesOneEmptyLastPageWithoutCursor() {
    Scripted p = new Scripted(false);
    p.queries.add(CompletableFuture.completedFuture(page(null)));
    Page only = p.nextPage();
    assertThat(only.assets()).isEmpty();
    assertThat(only.last()).isTrue();
    assertThat(only.cursor()).isNull();
  }

  @Test
  void theNextPageIsAskedForWhenThePageBeforeArrivesWithTwoAtMostWaiting() {
    CompletableFuture<AsyncResultSet> fourth = new CompletableFuture<>();
    CompletableFuture<AsyncResultSet> third = new CompletableFuture<>();
    CompletableFuture<AsyncResultSet> second = new CompletableFuture<>();
    AsyncResultSet first = page(second, 1);
    AsyncResultSet secondPage = page(third, 2);
    AsyncResultSet thirdPage = page(fourth, 3);
    Scripted p = new Scripted(false);
    p.queries.add(CompletableFuture.completedFuture(first));

    assertThat(ids(p.nextPage())).containsExactly("id-1");
    verify(first).fetchNextPage(); // the second page, asked for as the first arrived

    second.complete(secondPage); // arrives while the caller handles the first page
    verify(secondPage).fetchNextPage(); // the third asked for at once, not when the second is taken

    third.complete(thirdPage); // two pages wait now: the fourth waits for one to be taken
    verify(thirdPage, never()).fetchNextPage();

    assertThat(ids(p.nextPage())).containsExactly("id-2");
    verify(thirdPage).fetchNextPage();

    p.close();
    assertThat(fourth).isCancelled();
    assertThat(p.queriedFrom).hasSize(1);
  }

  @Test
  void aQueryThatThrowsFailsTheCallAndTheNextCallQueriesAgain() {
    Scripted p = new Scripted(false);
    p.queryFails = new IllegalStateException("cannot bind");
    p.queries.add(CompletableFuture.completedFuture(page(null, 1)));

    assertThatThrownBy(p::nextPage).hasMessageContaining("cannot bind");
    // Before the fix, the failed query's page was left waiting for good: a hang, failed here.
    Page again = assertTimeoutPreemptively(Duration.ofSeconds(30), p::nextPage);
    assertThat(ids(again)).containsExactly("id-1");
    assertThat(p.queriedFrom).containsExactly(null, null);
  }

  @Test
  void aPageWhoseRowsFailToReadIsReadAgainFromThePosition() {
    AsyncResultSet third = page(null, 5);
    AsyncResultSet second = page(CompletableFuture.completedFuture(third), 3, 4);
    AsyncResultSet first = page(CompletableFuture.completedFuture(second), 1, 2);
    AsyncResultSet secondAgain = page(null, 3, 4, 5);
    Scripted p = new Scripted(false);
    p.queries.add(CompletableFuture.completedFuture(first));
    p.queries.add(CompletableFuture.completedFuture(secondAgain));

    assertThat(ids(p.nextPage())).containsExactly("id-1", "id-2");
    p.readFails = new IllegalStateException("bad row");
    assertThatThrownBy(p::nextPage).hasMessage("bad row");
    Page again = p.nextPage(); // not the third page: the second's rows were never handed out
    assertThat(ids(again)).containsExactly("id-3", "id-4", "id-5");
    assertThat(p.queriedFrom).containsExactly(null, 2);
  }
}
