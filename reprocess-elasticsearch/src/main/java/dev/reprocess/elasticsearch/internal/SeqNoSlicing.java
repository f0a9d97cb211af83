package dev.reprocess.elasticsearch.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which {@code _seq_no} values belong to a slice of an Elasticsearch shard, and the window of
 * them a request reads next.
 *
 * <p>The sequence numbers of a shard are cut into blocks of {@link #BLOCK_SIZE}; slice {@code i}
 * of {@code n} owns the blocks {@code b} with {@code b mod n == i} up to its <em>base</em>, and
 * shares every sequence number above the base (the <em>tail</em>) with the other slices. The base
 * is the highest {@code _seq_no} the slice saw when it first read the shard: a document rewritten
 * after that gets a new {@code _seq_no} above it, in the tail, which every slice still reading
 * reads, so a rewrite can never move a document into a slice that already finished. Ownership
 * depends only on a document's {@code _seq_no} and the base (kept in the cursor), never on a point
 * in time, so a slice is the same set of documents in every run and after a point in time is
 * reopened. Interleaved blocks keep the slices balanced to within a block below the base.
 *
 * <p>Immutable and thread-safe.
 */
public final class SeqNoSlicing {

  /** Sequence numbers per block. */
  public static final long BLOCK_SIZE = 4096;

  /** The most blocks one request covers (one range clause each). */
  public static final int MAX_BLOCKS_PER_WINDOW = 256;

  private final int slice;
  private final int slices;

  /**
   * @param slice this slice, from 0
   * @param slices the number of slices, at least 1
   */
  public SeqNoSlicing(int slice, int slices) {
    if (slices < 1 || slice < 0 || slice >= slices) {
      throw new IllegalArgumentException("slice " + slice + " of " + slices + ": it must be in [0, slices) with slices >= 1");
    }
    this.slice = slice;
    this.slices = slices;
  }

  public int slice() {
    return slice;
  }

  public int slices() {
    return slices;
  }

  /** True when the document with this {@code _seq_no} belongs to this slice. */
  public boolean owns(long seqNo) {
    return Math.floorMod(Math.floorDiv(seqNo, BLOCK_SIZE), (long) slices) == slice;
  }

  /**
   * The next window: sequence numbers of this slice above {@code position} and at most {@code
   * maxSeqNo}, at least {@code span} of them (fewer only at the end of the shard), in at most
   * {@link #MAX_BLOCKS_PER_WINDOW} ranges. The window starts right after {@code position} and ends
   * at a block boundary (or at {@code maxSeqNo}), so a request evaluates little more than it
   * returns. With one slice, which owns every block, the window is a single range and {@code span}
   * has no upper bound.
   *
   * @param position the last sequence number covered, -1 at the start
   * @param maxSeqNo the last sequence number to read: the base, when a slice reads its blocks
   * @param span how many sequence numbers of this slice the window should cover, at least 1
   * @return the window, {@linkplain Window#isEmpty() empty} when nothing is left
   */
  public Window window(long position, long maxSeqNo, long span) {
    long start = position + 1;
    if (start > maxSeqNo) {
      return Window.EMPTY;
    }
    if (slices == 1) {
      long wanted = Math.max(1, span) > maxSeqNo - start ? maxSeqNo : start + Math.max(1, span) - 1;
      long end = Math.min(maxSeqNo, Math.floorDiv(wanted, BLOCK_SIZE) * BLOCK_SIZE + BLOCK_SIZE - 1);
      return new Window(List.of(new Range(start, end)), end);
    }
    long block = Math.floorDiv(start, BLOCK_SIZE);
    block += Math.floorMod(slice - block, (long) slices);
    List<Range> ranges = new ArrayList<>();
    long covered = 0;
    long end = -1;
    while (covered < Math.max(1, span) && ranges.size() < MAX_BLOCKS_PER_WINDOW) {
      long lo = Math.max(block * BLOCK_SIZE, start);
      if (lo > maxSeqNo) {
        break;
      }
      long hi = Math.min(block * BLOCK_SIZE + BLOCK_SIZE - 1, maxSeqNo);
      ranges.add(new Range(lo, hi));
      covered += hi - lo + 1;
      end = hi;
      block += slices;
    }
    if (ranges.isEmpty()) {
      return Window.EMPTY;
    }
    return new Window(List.copyOf(ranges), end);
  }

  /**
   * The next window of the slice with its tail: the blocks of this slice up to {@code base} as
   * {@link #window(long, long, long)} gives them, then, once those are read, the whole tail {@code
   * (base, cap]} after {@code position} as one range (a request's {@code search_after} skips what
   * was read).
   *
   * @param position the last sequence number covered, -1 at the start
   * @param base the highest sequence number split into blocks
   * @param cap the highest sequence number to read, at least {@code base}
   * @param span as for {@link #window(long, long, long)}
   * @return the window, {@linkplain Window#isEmpty() empty} when nothing is left up to {@code cap}
   */
  public Window window(long position, long base, long cap, long span) {
    if (slices == 1) {
      return window(position, cap, span);
    }
    Window blocks = window(position, base, span);
    if (!blocks.isEmpty()) {
      return blocks;
    }
    long start = Math.max(position, base) + 1;
    return start > cap ? Window.EMPTY : new Window(List.of(new Range(start, cap)), cap);
  }

  /** True when this slice reads {@code seqNo} with this base: in its blocks, or in the tail above the base. */
  public boolean reads(long seqNo, long base) {
    return seqNo > base || owns(seqNo);
  }

  /** How many sequence numbers in {@code [from, to]} this slice reads with this base (see {@link #reads}). */
  public long owned(long from, long to, long base) {
    return owned(from, Math.min(to, base)) + Math.max(0, to - Math.max(from, base + 1) + 1);
  }

  /** How many sequence numbers in {@code [from, to]} this slice owns (0 when {@code to < from}). */
  public long owned(long from, long to) {
    return to < from ? 0 : ownedUpTo(to) - ownedUpTo(from - 1);
  }

  /** How many sequence numbers in {@code [0, x]} this slice owns. */
  private long ownedUpTo(long x) {
    if (x < 0) {
      return 0;
    }
    long fullBlocks = (x + 1) / BLOCK_SIZE;
    long partial = (x + 1) - fullBlocks * BLOCK_SIZE;
    long ownedFull = fullBlocks > slice ? (fullBlocks - 1 - slice) / slices + 1 : 0;
    return ownedFull * BLOCK_SIZE + (fullBlocks % slices == slice ? partial : 0);
  }

  /** An inclusive range of sequence numbers. */
  public record Range(long from, long to) {}

  /**
   * Ranges to read, and the last sequence number they cover: once a request over the window
   * returns fewer hits than it asked for, the shard is read up to {@code end}.
   */
  public record Window(List<Range> ranges, long end) {
    static final Window EMPTY = new Window(List.of(), -1);

    public boolean isEmpty() {
      return ranges.isEmpty();
    }
  }
}
