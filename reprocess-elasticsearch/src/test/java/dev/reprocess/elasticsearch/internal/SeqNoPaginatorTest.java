package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import dev.reprocess.elasticsearch.fake.FakeShard;
import dev.reprocess.elasticsearch.fake.FakeTransport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeqNoPaginatorTest {

  private final FakeShard shard = new FakeShard();
  private final FakeTransport transport = new FakeTransport(shard);
  private final ElasticsearchClient client = new ElasticsearchClient(transport);

  /** A selector whose requests ask for {@code fetchSize} hits. */
  private ElasticsearchSelector selector(int slices, int fetchSize) {
    return ElasticsearchSelector.builder(client).index("fake").slices(slices).fetchSize(fetchSize).build();
  }

  private static List<Long> seqs(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().toList();
  }

  private static List<Page> readAll(Paginator paginator) {
    List<Page> pages = new ArrayList<>();
    Page page;
    do {
      page = paginator.nextPage();
      pages.add(page);
    } while (!page.last());
    return pages;
  }

  private static List<String> ids(List<Page> pages) {
    return pages.stream().flatMap(p -> p.assets().stream()).map(AssetRef::assetId).toList();
  }

  @Test
  void readsEveryDocumentOnceInSeqNoOrderAndClosesItsPointInTimeAtTheEnd() {
    shard.putAll(seqs(0, 2500));
    try (ElasticsearchSelector selector = selector(1, 1000);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 1000)) {
      List<Page> pages = readAll(paginator);
      assertThat(pages).extracting(Page::size).containsExactly(1000, 1000, 500);
      assertThat(pages).extracting(Page::last).containsExactly(false, false, true);
      assertThat(ids(pages)).isEqualTo(seqs(0, 2500).stream().map(s -> "doc-" + s).toList());
      assertThat(pages.get(0).cursor().value()).isEqualTo("es-seqno:v3:999:2499:fake[0]:-");
      assertThat(pages.get(2).cursor().value()).isEqualTo("es-seqno:v3:2499:2499:fake[0]:-");
      assertThat(shard.openPointsInTime()).isZero();
      assertThatThrownBy(paginator::nextPage).isInstanceOf(IllegalStateException.class).hasMessageContaining("after the last page");
    }
  }

  @Test
  void pagesSmallerThanAFetchComeFromTheBufferWithExactCursors() {
    shard.putAll(seqs(0, 1000).stream().filter(s -> s % 10 != 0).toList()); // 900 documents, holes every 10
    List<String> expected = seqs(0, 1000).stream().filter(s -> s % 10 != 0).map(s -> "doc-" + s).toList();
    try (ElasticsearchSelector selector = selector(1, 400)) {
      Cursor afterSecond;
      try (Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 150)) {
        Page first = paginator.nextPage();
        Page second = paginator.nextPage();
        assertThat(shard.searches()).as("max _seq_no, then one fetch of 400").isEqualTo(2);
        assertThat(ids(List.of(first, second))).isEqualTo(expected.subList(0, 300));
        assertThat(second.cursor().value()).isEqualTo("es-seqno:v3:333:999:fake[0]:-"); // doc-333 is the 300th document
        afterSecond = second.cursor();
        List<String> all = new ArrayList<>(ids(List.of(first, second)));
        all.addAll(ids(readAll(paginator)));
        assertThat(all).isEqualTo(expected);
      }
      try (Paginator resumed = selector.open(new EsShard("fake", 0, 0, 1).toShard(), afterSecond, 150)) {
        assertThat(ids(readAll(resumed))).isEqualTo(expected.subList(300, 900));
      }
    }
  }

  @Test
  void anEmptyShardIsOneEmptyLastPage() {
    try (ElasticsearchSelector selector = selector(1, 100);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 100)) {
      Page page = paginator.nextPage();
      assertThat(page.assets()).isEmpty();
      assertThat(page.last()).isTrue();
    }
  }

  @Test
  void slicesPartitionTheShardWithoutOverlapEvenWithHoles() {
    List<Long> present = seqs(0, 30_000).stream().filter(s -> s % 7 != 3 && (s < 9000 || s > 14_000)).toList();
    shard.putAll(present);
    int slices = 4;
    List<String> all = new ArrayList<>();
    try (ElasticsearchSelector selector = selector(slices, 1000)) {
      for (int slice = 0; slice < slices; slice++) {
        SeqNoSlicing slicing = new SeqNoSlicing(slice, slices);
        try (Paginator paginator = selector.open(new EsShard("fake", 0, slice, slices).toShard(), null, 700)) {
          List<String> ids = ids(readAll(paginator));
          assertThat(ids).allMatch(id -> slicing.owns(Long.parseLong(id.substring(4))));
          all.addAll(ids);
        }
      }
    }
    assertThat(all).hasSize(present.size());
    assertThat(new HashSet<>(all)).isEqualTo(present.stream().map(s -> "doc-" + s).collect(Collectors.toSet()));
  }

  @Test
  void aSelectiveQueryWidensTheWindowInsteadOfSendingOneRequestPerBlock() {
    shard.putAll(seqs(0, 400_000).stream().filter(s -> s % 1000 == 0).toList()); // sparse: 400 documents
    try (ElasticsearchSelector selector = selector(4, 50);
        Paginator paginator = selector.open(new EsShard("fake", 0, 2, 4).toShard(), null, 50)) {
      List<Page> pages = readAll(paginator);
      assertThat(ids(pages)).hasSize((int) LongStream.range(0, 400).filter(i -> new SeqNoSlicing(2, 4).owns(i * 1000)).count());
      // 400,000 sequence numbers / 4 slices / 4096 per block = about 25 blocks: far fewer requests
      assertThat(shard.searches()).isLessThan(15);
    }
  }

  @Test
  void oneSliceReadsDenseBlocksInOneRequestEachAndWidensWithoutBoundWhenSparse() {
    shard.putAll(seqs(0, 3 * SeqNoSlicing.BLOCK_SIZE));
    try (ElasticsearchSelector selector = selector(1, 10_000);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 5000)) {
      assertThat(ids(readAll(paginator))).hasSize(3 * (int) SeqNoSlicing.BLOCK_SIZE);
      assertThat(shard.searches()).as("the highest _seq_no, then one request per block, not per 10,000 hits").isEqualTo(4);
    }
    FakeShard sparse = new FakeShard();
    sparse.putAll(LongStream.range(0, 400).map(i -> i * 100_000).boxed().toList()); // 400 documents in 40,000,000 _seq_nos
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(new ElasticsearchClient(new FakeTransport(sparse)))
            .index("fake").fetchSize(5000).build();
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 50)) {
      assertThat(ids(readAll(paginator))).hasSize(400);
      // Windows bounded as a slice's of several (1,048,576 _seq_nos) would take about 40 requests.
      assertThat(sparse.searches()).isLessThan(20);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aWindowWidenedBySparseMatchesNarrowsAgainWhereTheyTurnDense(int slices) {
    long dense = 40_000_000;
    shard.putAll(LongStream.range(0, 400).map(i -> i * 100_000).boxed().toList()); // 400 documents, sparse
    shard.putAll(seqs(dense, dense + 160_000)); // then 160,000 in a row
    try (ElasticsearchSelector selector = selector(slices, 5000);
        Paginator paginator = selector.open(new EsShard("fake", 0, slices - 1, slices).toShard(), null, 5000)) {
      List<String> read = ids(readAll(paginator));
      SeqNoSlicing slicing = new SeqNoSlicing(slices - 1, slices);
      long expected = LongStream.concat(LongStream.range(0, 400).map(i -> i * 100_000), LongStream.range(dense, dense + 160_000))
          .filter(slicing::owns).count();
      assertThat(read).hasSize((int) expected);
      List<SearchRequest> searches = transport.requests(SearchRequest.class);
      // The dense stretch's requests after the first: each covers about what 5,000 hits span, not the sparse window.
      List<Long> denseWindows = searches.subList(searches.size() - 3, searches.size()).stream()
          .map(FakeShard::windowSeqNos).toList();
      assertThat(denseWindows).allMatch(w -> w > 0 && w <= 5000 + SeqNoSlicing.BLOCK_SIZE, "at most 5,000 + a block: " + denseWindows);
    }
  }

  @Test
  void resumesExactlyAfterItsCursorInANewPointInTime() {
    shard.putAll(seqs(0, 30_000));
    for (int slices : new int[] {1, 3}) {
      for (int slice = 0; slice < slices; slice++) {
        EsShard es = new EsShard("fake", 0, slice, slices);
        List<String> expected;
        Cursor cursor;
        List<String> firstTwo;
        try (ElasticsearchSelector selector = selector(slices, 1000)) {
          try (Paginator whole = selector.open(es.toShard(), null, 400)) {
            expected = ids(readAll(whole));
          }
          try (Paginator killed = selector.open(es.toShard(), null, 400)) {
            Page p1 = killed.nextPage();
            Page p2 = killed.nextPage();
            firstTwo = new ArrayList<>(p1.assets().stream().map(AssetRef::assetId).toList());
            firstTwo.addAll(p2.assets().stream().map(AssetRef::assetId).toList());
            cursor = Cursor.of(p2.cursor().value()); // as a checkpoint store would give it back
          }
          try (Paginator resumed = selector.open(es.toShard(), cursor, 400)) {
            List<String> rest = ids(readAll(resumed));
            List<String> joined = new ArrayList<>(firstTwo);
            joined.addAll(rest);
            assertThat(joined).as("slice %d of %d", slice, slices).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void reopensAnExpiredPointInTimeAndReadsItToItsEndWithoutDuplicates() {
    shard.putAll(seqs(0, 3000));
    try (ElasticsearchSelector selector = selector(1, 1000);
        SeqNoPaginator paginator = (SeqNoPaginator) selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 1000)) {
      Page first = paginator.nextPage();
      shard.expireAll();
      shard.putAll(seqs(3000, 3500)); // written after the selection started: in the new point in time
      List<Page> rest = readAll(paginator);
      List<String> ids = new ArrayList<>(first.assets().stream().map(AssetRef::assetId).toList());
      ids.addAll(ids(rest));
      assertThat(ids).isEqualTo(seqs(0, 3500).stream().map(s -> "doc-" + s).toList());
      assertThat(paginator.pointInTimeOpens()).isEqualTo(2);
    }
  }

  /** The smallest case: a, b, c; page 1 is [a]; c is rewritten; the resumed run must select c. */
  @ParameterizedTest
  @ValueSource(strings = {"es-seqno:v3:0:2:fake[0]:-", "es-seqno:v2:0:2", "es-seqno:v1:0:2"})
  void aDocumentRewrittenBeforeAResumeIsSelectedAtItsNewSeqNo(String checkpoint) {
    shard.put(0, "a", Map.of()).put(1, "b", Map.of()).put(2, "c", Map.of());
    try (ElasticsearchSelector selector = selector(1, 10)) {
      EsShard es = new EsShard("fake", 0, 0, 1);
      Cursor cursor;
      try (Paginator first = selector.open(es.toShard(), null, 1)) {
        Page page = first.nextPage();
        assertThat(page.assets()).extracting(AssetRef::assetId).containsExactly("a");
        cursor = page.cursor();
      }
      assertThat(cursor.value()).isEqualTo("es-seqno:v3:0:2:fake[0]:-");
      assertThat(shard.rewrite("c")).isEqualTo(3);
      try (Paginator resumed = selector.open(es.toShard(), Cursor.of(checkpoint), 1)) {
        assertThat(ids(readAll(resumed))).containsExactly("b", "c");
      }
    }
  }

  @Test
  void aDocumentRewrittenIntoTheBlockOfAFinishedSliceIsReadByTheSliceItLeft() {
    long block = SeqNoSlicing.BLOCK_SIZE;
    shard.putAll(seqs(0, 2 * block)); // block 0 is slice 0's, block 1 slice 1's
    try (ElasticsearchSelector selector = selector(2, 1000)) {
      Paginator slice1 = selector.open(new EsShard("fake", 0, 1, 2).withBase(2 * block - 1).toShard(), null, 100);
      Page first = slice1.nextPage();
      List<String> slice0 = ids(readAll(selector.open(new EsShard("fake", 0, 0, 2).withBase(2 * block - 1).toShard(), null, 100)));
      String moved = "doc-" + (2 * block - 1); // not yet read by slice 1
      shard.expireAll();
      long to = shard.rewrite(moved);
      assertThat(new SeqNoSlicing(0, 2).owns(to)).as("moved into slice 0's block").isTrue();
      List<String> rest = ids(readAll(slice1));
      slice1.close();
      assertThat(slice0).doesNotContain(moved);
      assertThat(rest).contains(moved);
      assertThat(first.assets()).hasSize(100);
    }
  }

  /**
   * Slice 0 reads a frozen point in time; a document of slice 1's block is rewritten into a block
   * of slice 0 before slice 1 starts. Slice 1 must read it: the base is common to the slices.
   */
  @Test
  void aDocumentRewrittenBeforeItsSliceStartsIsReadByThatSlice() {
    long block = SeqNoSlicing.BLOCK_SIZE;
    shard.putAll(seqs(0, 4 * block));
    try (ElasticsearchSelector selector = selector(2, 1000)) {
      EsShard slice0 = new EsShard("fake", 0, 0, 2).withBase(4 * block - 1);
      EsShard slice1 = new EsShard("fake", 0, 1, 2).withBase(4 * block - 1);
      Paginator first = selector.open(slice0.toShard(), null, 100);
      first.nextPage();
      String moved = "doc-" + (block + 5);
      assertThat(new SeqNoSlicing(0, 2).owns(shard.rewrite(moved))).isTrue();
      List<String> read = ids(readAll(selector.open(slice1.toShard(), null, 100)));
      List<String> rest = ids(readAll(first));
      assertThat(read).contains(moved);
      assertThat(rest).doesNotContain(moved); // its point in time predates the rewrite
    }
  }

  /**
   * Slices read in a random order while documents are rewritten, points in time expire and
   * slices restart from their last cursor (or, with {@code frozen}, while every point in time
   * lives to its end): every document is selected at least once.
   */
  @ParameterizedTest
  @CsvSource({"1, false", "2, false", "3, false", "4, false", "5, false", "6, false", "7, false", "8, false",
      "2, true", "3, true", "6, true", "7, true", "10, true", "11, true"})
  void everyDocumentIsSelectedWhateverIsRewrittenExpiredOrResumed(int seed, boolean frozen) {
    java.util.Random random = new java.util.Random(seed);
    int slices = 1 + seed % 4;
    int documents = 3 * (int) SeqNoSlicing.BLOCK_SIZE + random.nextInt(5000);
    shard.putAll(seqs(0, documents));
    Map<String, Integer> selected = new java.util.HashMap<>();
    try (ElasticsearchSelector selector = selector(slices, 300)) {
      List<EsShard> shards = new ArrayList<>();
      Paginator[] open = new Paginator[slices];
      Cursor[] cursors = new Cursor[slices];
      boolean[] done = new boolean[slices];
      for (int i = 0; i < slices; i++) {
        shards.add(new EsShard("fake", 0, i, slices).withBase(documents - 1)); // as shards() fixes it
      }
      int finished = 0;
      while (finished < slices) {
        int i = random.nextInt(slices);
        if (frozen && random.nextInt(5) > 0) {
          i = 0; // mostly the first slice still reading, so the others start late, after many rewrites
          while (done[i]) {
            i++;
          }
        }
        if (done[i]) {
          continue;
        }
        if (open[i] == null) {
          open[i] = selector.open(shards.get(i).toShard(), cursors[i], 100 + random.nextInt(300));
        }
        Page page = open[i].nextPage();
        page.assets().forEach(a -> selected.merge(a.assetId(), 1, Integer::sum));
        cursors[i] = Cursor.of(page.cursor().value());
        if (page.last()) {
          open[i].close();
          done[i] = true;
          finished++;
        }
        for (int r = random.nextInt(40); r > 0; r--) {
          shard.rewrite("doc-" + random.nextInt(documents));
        }
        int roll = frozen ? -1 : random.nextInt(10);
        if (roll == 0) {
          shard.expireAll();
        } else if (roll == 1 && open[i] != null && !done[i]) {
          open[i].close(); // stopped; resumes from its checkpoint
          open[i] = null;
        }
      }
    }
    List<String> missed = seqs(0, documents).stream().map(s -> "doc-" + s).filter(id -> !selected.containsKey(id)).toList();
    assertThat(missed).as("seed %d, %d slices, frozen %s", seed, slices, frozen).isEmpty();
  }

  @Test
  void givesUpWithARetriableErrorWhenThePointInTimeKeepsVanishing() {
    shard.putAll(seqs(0, 10));
    try (ElasticsearchSelector selector = selector(1, 5);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 5)) {
      shard.expireEverySearch();
      assertThatThrownBy(paginator::nextPage)
          .isInstanceOf(RetriableException.class)
          .hasMessageContaining("the point in time went missing 4 times in a row");
    }
  }

  @Test
  void neverUsesAResponseInWhichAShardFailedAndReadsThePageAgainOnRetry() {
    shard.putAll(seqs(0, 30));
    try (ElasticsearchSelector selector = selector(1, 10);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      Page first = paginator.nextPage();
      shard.nextSearch(request -> {
        SearchResponse<Void> normal = shard.search(request);
        return SearchResponse.<Void>of(r -> r
            .took(1).timedOut(false).pitId(normal.pitId()).hits(normal.hits())
            .shards(s -> s.total(1).successful(0).failed(1)
                .failures(f -> f.index("fake").shard(0).reason(c -> c.type("circuit_breaking_exception").reason("too much memory")))));
      });
      assertThatThrownBy(paginator::nextPage)
          .isInstanceOf(RetriableException.class)
          .hasMessageContaining("1 of 1 shards failed")
          .hasMessageContaining("circuit_breaking_exception: too much memory");
      Page second = paginator.nextPage();
      assertThat(first.assets().get(9).assetId()).isEqualTo("doc-9");
      assertThat(second.assets()).extracting(AssetRef::assetId).first().isEqualTo("doc-10");
      assertThat(second.size()).isEqualTo(10);
    }
  }

  @Test
  void aTimedOutSearchIsRetriable() {
    shard.putAll(seqs(0, 30));
    try (ElasticsearchSelector selector = selector(1, 10);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      paginator.nextPage();
      shard.nextSearch(request -> {
        SearchResponse<Void> normal = shard.search(request);
        return SearchResponse.<Void>of(r -> r.took(1).timedOut(true).pitId(normal.pitId()).hits(normal.hits())
            .shards(s -> s.total(1).successful(1).failed(0)));
      });
      assertThatThrownBy(paginator::nextPage).isInstanceOf(RetriableException.class).hasMessageContaining("timed out");
    }
  }

  @Test
  void mapsServerErrorsToRetriableAndClientErrorsToPermanentFailures() {
    shard.putAll(seqs(0, 30));
    try (ElasticsearchSelector selector = selector(1, 10);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      paginator.nextPage();
      shard.nextSearch(r -> {
        throw FakeShard.error(503, "search_phase_execution_exception", "all shards failed", "node_not_connected_exception", "gone");
      });
      assertThatThrownBy(paginator::nextPage).isInstanceOf(RetriableException.class).hasMessageContaining("node_not_connected_exception");
      shard.nextSearch(r -> {
        throw FakeShard.error(400, "search_phase_execution_exception", "all shards failed", "query_shard_exception", "bad field");
      });
      assertThatThrownBy(paginator::nextPage)
          .isInstanceOf(ReprocessException.class)
          .isNotInstanceOf(RetriableException.class)
          .hasMessageContaining("query_shard_exception: bad field");
      assertThat(paginator.nextPage().assets()).extracting(AssetRef::assetId).first().isEqualTo("doc-10");
    }
  }

  @Test
  void readsTheIdTypeAndAttributesFromFields() {
    String timeuuid = "13814000-1dd2-11b2-8080-808080808080"; // 1970-01-01T00:00:00Z
    shard.put(0, "a", Map.of("asset_id", timeuuid, "asset_type", "image/png", "size", 42, "tags", List.of("x", "y")));
    shard.put(1, "b", Map.of("asset_id", "plain-id", "asset_type", "video/mp4"));
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index("fake")
            .idField("asset_id").assetTypeField("asset_type").attributeFields("size", "tags").build();
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      List<AssetRef> assets = paginator.nextPage().assets();
      assertThat(assets.get(0)).isEqualTo(new AssetRef(timeuuid, "image/png", Instant.EPOCH, Map.of("size", "42", "tags", "[\"x\",\"y\"]")));
      assertThat(assets.get(1)).isEqualTo(new AssetRef("plain-id", "video/mp4", null, Map.of()));
    }
  }

  @Test
  void failsOnADocumentWithoutAnId() {
    shard.put(0, "a", Map.of("asset_id", "x"));
    shard.put(1, "b", Map.of("other", "y"));
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index("fake").idField("asset_id").build();
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      assertThatThrownBy(paginator::nextPage)
          .isInstanceOf(ReprocessException.class)
          .hasMessageContaining("the document with _seq_no 1 has no value in idField 'asset_id'");
    }
  }

  @Test
  void closingThePaginatorOrTheSelectorClosesThePointInTime() {
    shard.putAll(seqs(0, 10_000));
    ElasticsearchSelector selector = selector(2, 10);
    Paginator a = selector.open(new EsShard("fake", 0, 0, 2).toShard(), null, 10);
    Paginator b = selector.open(new EsShard("fake", 0, 1, 2).toShard(), null, 10);
    a.nextPage();
    b.nextPage();
    assertThat(shard.openPointsInTime()).isEqualTo(2);
    a.close();
    a.close();
    assertThat(shard.openPointsInTime()).isEqualTo(1);
    assertThatThrownBy(a::nextPage).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    selector.close();
    selector.close();
    assertThat(shard.openPointsInTime()).isZero();
    assertThatThrownBy(b::nextPage).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    try (Paginator again = selector.open(new EsShard("fake", 0, 0, 2).toShard(), null, 10)) {
      assertThat(again.nextPage().size()).as("a job may run again with the same selector").isEqualTo(10);
    }
  }

  @Test
  void rejectsAForeignCursorAndAShardWithAnotherSliceCount() {
    try (ElasticsearchSelector selector = selector(2, 10)) {
      assertThatThrownBy(() -> selector.open(new EsShard("fake", 0, 0, 2).toShard(), Cursor.of("1234"), 10))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was not produced by ElasticsearchSelector");
      assertThatThrownBy(() -> selector.open(new EsShard("fake", 0, 0, 4).toShard(), null, 10))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 4 slices per shard but this selector has 2");
    }
  }

  @Test
  void refusesAnIndexWithoutSequenceNumbersInsteadOfSelectingNothing() {
    shard.put(-2, "a", Map.of()); // what an index without sequence numbers holds
    try (ElasticsearchSelector selector = selector(1, 10);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 10)) {
      assertThatThrownBy(paginator::nextPage)
          .isInstanceOf(ReprocessException.class)
          .hasMessageContaining("a document has _seq_no -2; this selector needs the sequence numbers");
    }
  }

  @Test
  void appliesTheFilterOfTheAliasTheIndexWasReachedThrough() {
    shard.putAll(seqs(0, 10));
    String filter = "{\"term\":{\"batch\":{\"value\":\"b5\"}}}";
    try (ElasticsearchSelector selector = selector(1, 10);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1, filter).toShard(), null, 10)) {
      paginator.nextPage();
      SearchRequest last = transport.requests(SearchRequest.class).get(transport.requests(SearchRequest.class).size() - 1);
      String json = last.query().toString();
      assertThat(json).contains("\"term\":{\"batch\":{\"value\":\"b5\"}}").contains("\"match_all\"").contains("_seq_no");
    }
  }

  @Test
  void timeuuidsGiveTheirCreationTime() {
    assertThat(SeqNoPaginator.timeuuidInstant("5b6962dc-4ca4-11ef-8c2d-0242ac120002")).isEqualTo(Instant.parse("2024-07-28T05:43:46.375548400Z"));
    assertThat(SeqNoPaginator.timeuuidInstant("3f2504e0-4f89-41d3-9a0c-0305e82c3301")).as("version 4").isNull();
    assertThat(SeqNoPaginator.timeuuidInstant("asset-1")).isNull();
  }

  @Test
  void largePagesAreReadInRequestsOfAtMostTenThousand() {
    shard.putAll(seqs(0, 25_000));
    try (ElasticsearchSelector selector = selector(1, 10_000);
        Paginator paginator = selector.open(new EsShard("fake", 0, 0, 1).toShard(), null, 50_000)) {
      Page page = paginator.nextPage();
      assertThat(page.size()).isEqualTo(25_000);
      assertThat(page.last()).isTrue();
      assertThat(transport.requests(SearchRequest.class)).extracting(SearchRequest::size).allMatch(s -> s <= 10_000);
    }
  }
}
