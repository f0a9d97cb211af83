package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeqNoSlicingTest {

  private static final long B = SeqNoSlicing.BLOCK_SIZE;

  @Test
  void everySequenceNumberBelongsToExactlyOneSlice() {
    int slices = 3;
    List<SeqNoSlicing> all = new ArrayList<>();
    for (int i = 0; i < slices; i++) {
      all.add(new SeqNoSlicing(i, slices));
    }
    for (long seq = 0; seq < 10 * B; seq += 7) {
      long s = seq;
      assertThat(all.stream().filter(x -> x.owns(s)).count()).as("owners of %d", seq).isEqualTo(1);
    }
  }

  @Test
  void oneSliceReadsOneRangeFromThePositionToTheBlockBoundaryPastTheSpan() {
    SeqNoSlicing one = new SeqNoSlicing(0, 1);
    assertThat(one.window(12_345, 99_999, 1).ranges()).as("rest of the block")
        .containsExactly(new SeqNoSlicing.Range(12_346, 3 * B + B - 1));
    assertThat(one.window(-1, 99_999, 1).ranges()).as("the first block")
        .containsExactly(new SeqNoSlicing.Range(0, B - 1));
    SeqNoSlicing.Window wide = one.window(12_345, 99_999, 3 * B);
    assertThat(wide.ranges()).as("3 blocks of span from 12,346 end in block 6").containsExactly(new SeqNoSlicing.Range(12_346, 7 * B - 1));
    assertThat(wide.end()).isEqualTo(7 * B - 1);
    assertThat(one.window(12_345, 99_999, Long.MAX_VALUE / 4).ranges()).as("a span past the end stops at maxSeqNo")
        .containsExactly(new SeqNoSlicing.Range(12_346, 99_999));
    assertThat(one.window(99_998, 99_999, 10).ranges()).containsExactly(new SeqNoSlicing.Range(99_999, 99_999));
    assertThat(one.window(99_999, 99_999, 10).isEmpty()).isTrue();
    assertThat(one.window(-1, -1, 10).isEmpty()).as("empty shard").isTrue();
  }

  /** Walking windows from the start, as the paginator does when each window is exhausted. */
  @ParameterizedTest
  @CsvSource({"1, 0, 1", "1, 0, 5000", "1, 0, 1048576", "4, 0, 1000", "4, 3, 1000", "4, 1, 5000", "2, 1, 1", "7, 6, 20000", "3, 2, 1048576"})
  void windowsWalkEverySequenceNumberOfTheSliceOnceAndNothingElse(int slices, int slice, long span) {
    SeqNoSlicing slicing = new SeqNoSlicing(slice, slices);
    long max = 13 * B + 17;
    List<Long> seen = new ArrayList<>();
    long position = -1;
    int windows = 0;
    while (true) {
      SeqNoSlicing.Window w = slicing.window(position, max, span);
      if (w.isEmpty()) {
        break;
      }
      windows++;
      assertThat(w.ranges().size()).isLessThanOrEqualTo(SeqNoSlicing.MAX_BLOCKS_PER_WINDOW);
      long covered = 0;
      for (SeqNoSlicing.Range r : w.ranges()) {
        assertThat(r.from()).isGreaterThan(position);
        assertThat(r.to()).isLessThanOrEqualTo(max);
        for (long s = r.from(); s <= r.to(); s++) {
          seen.add(s);
        }
        covered += r.to() - r.from() + 1;
      }
      assertThat(covered >= span || w.end() == lastOwned(slicing, max) || w.ranges().size() == SeqNoSlicing.MAX_BLOCKS_PER_WINDOW)
          .as("window covers the span unless the shard or the range limit ends it").isTrue();
      position = w.end();
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s <= max; s++) {
      if (slicing.owns(s)) {
        expected.add(s);
      }
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(windows).isPositive();
  }

  private static long lastOwned(SeqNoSlicing slicing, long max) {
    for (long s = max; s >= 0; s--) {
      if (slicing.owns(s)) {
        return s;
      }
    }
    return -1;
  }

  @Test
  void aWindowStartsRightAfterThePositionInsideABlock() {
    SeqNoSlicing slicing = new SeqNoSlicing(1, 4);
    SeqNoSlicing.Window w = slicing.window(B + 99, 100 * B, 500);
    assertThat(w.ranges()).containsExactly(new SeqNoSlicing.Range(B + 100, 2 * B - 1));
    SeqNoSlicing.Window wider = slicing.window(B + 99, 100 * B, B);
    assertThat(wider.ranges()).containsExactly(new SeqNoSlicing.Range(B + 100, 2 * B - 1), new SeqNoSlicing.Range(5 * B, 6 * B - 1));
    assertThat(wider.end()).isEqualTo(6 * B - 1);
  }

  @Test
  void slicesAreBalancedToWithinABlock() {
    int slices = 4;
    long max = 50_000 - 1;
    long[] counts = new long[slices];
    for (int i = 0; i < slices; i++) {
      counts[i] = new SeqNoSlicing(i, slices).owned(0, max);
    }
    assertThat(java.util.Arrays.stream(counts).sum()).isEqualTo(max + 1);
    long spread = java.util.Arrays.stream(counts).max().getAsLong() - java.util.Arrays.stream(counts).min().getAsLong();
    assertThat(spread).isLessThanOrEqualTo(B);
  }

  @ParameterizedTest
  @CsvSource({"1, 0", "4, 0", "4, 3", "5, 2"})
  void ownedCountsMatchOwnership(int slices, int slice) {
    SeqNoSlicing slicing = new SeqNoSlicing(slice, slices);
    long[][] ranges = {{0, 0}, {0, B - 1}, {5, 3 * B + 11}, {B - 1, B}, {7 * B + 3, 21 * B + 4000}, {10, 9}};
    for (long[] r : ranges) {
      long brute = 0;
      for (long s = r[0]; s <= r[1]; s++) {
        brute += slicing.owns(s) ? 1 : 0;
      }
      assertThat(slicing.owned(r[0], r[1])).as("owned in [%d, %d]", r[0], r[1]).isEqualTo(brute);
    }
  }

  /** Above the base every slice reads everything: a rewritten document lands there, wherever it was. */
  @ParameterizedTest
  @CsvSource({"1, 0", "4, 0", "4, 3", "3, 1"})
  void windowsReadTheSlicesBlocksUpToTheBaseThenTheWholeTail(int slices, int slice) {
    SeqNoSlicing slicing = new SeqNoSlicing(slice, slices);
    long base = 9 * B + 5;
    long cap = base + 3 * B;
    List<Long> seen = new ArrayList<>();
    long position = -1;
    for (SeqNoSlicing.Window w = slicing.window(position, base, cap, 1); !w.isEmpty(); w = slicing.window(position, base, cap, 1)) {
      for (SeqNoSlicing.Range r : w.ranges()) {
        assertThat(r.from()).isGreaterThan(position);
        for (long s = r.from(); s <= r.to(); s++) {
          seen.add(s);
        }
      }
      position = w.end();
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s <= cap; s++) {
      if (slicing.reads(s, base)) {
        expected.add(s);
      }
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(expected).containsAll(java.util.stream.LongStream.rangeClosed(base + 1, cap).boxed().toList());
    assertThat(slicing.owned(0, cap, base)).isEqualTo(expected.size());
    assertThat(slicing.owned(base - 10, base + 10, base))
        .isEqualTo(java.util.stream.LongStream.rangeClosed(base - 10, base + 10).filter(x -> slicing.reads(x, base)).count());
  }

  @Test
  void theTailIsOneRangeAfterThePosition() {
    SeqNoSlicing slicing = new SeqNoSlicing(1, 4);
    long base = 8 * B - 1;
    SeqNoSlicing.Window tail = slicing.window(base + 40, base, base + 100, 1);
    assertThat(tail.ranges()).containsExactly(new SeqNoSlicing.Range(base + 41, base + 100));
    assertThat(slicing.window(base + 100, base, base + 100, 1).isEmpty()).isTrue();
    assertThat(slicing.window(6 * B - 1, base, base + 100, 1).ranges())
        .as("slice 1 has no block left below the base").containsExactly(new SeqNoSlicing.Range(base + 1, base + 100));
  }

  @Test
  void rejectsASliceOutsideItsCount() {
    assertThatThrownBy(() -> new SeqNoSlicing(4, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice 4 of 4");
    assertThatThrownBy(() -> new SeqNoSlicing(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
