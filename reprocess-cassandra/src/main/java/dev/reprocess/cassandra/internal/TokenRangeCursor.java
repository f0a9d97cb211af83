package dev.reprocess.cassandra.internal;

import dev.reprocess.internal.Quote;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The cursor of a token-range shard: {@code <start>|<end>|<paging state>}, where start and end are
 * the range's bounds as the token map formats them (end empty for the range that ends the ring),
 * and the paging state is the driver's raw paging state in Base64, or empty once the range is read
 * to its end. The bounds let a cursor be checked against the shard it is given with.
 *
 * @param start the range's start, formatted
 * @param end the range's end, formatted, or the empty string when unbounded
 * @param pagingState the driver's paging state, or {@code null} at the end of the range
 */
public record TokenRangeCursor(String start, String end, ByteBuffer pagingState) {
  private static final char SEPARATOR = '|';

  /** True once the range has been read to its end. */
  public boolean atEnd() {
    return pagingState == null;
  }

  /** The serialized form. */
  public String value() {
    String state = "";
    if (pagingState != null) {
      ByteBuffer b = pagingState.duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      state = Base64.getEncoder().encodeToString(bytes);
    }
    return start + SEPARATOR + end + SEPARATOR + state;
  }

  /**
   * Parses a cursor and checks it belongs to the range {@code (start, end]}.
   *
   * @throws IllegalArgumentException if it is malformed or belongs to another range
   */
  public static TokenRangeCursor parse(String value, String shardId, String start, String end) {
    int a = value.indexOf(SEPARATOR);
    int b = a < 0 ? -1 : value.indexOf(SEPARATOR, a + 1);
    if (a < 0 || b < 0) {
      throw new IllegalArgumentException(
          "cursor is '" + Quote.abbreviate(value) + "' for shard " + shardId + ": it must be '<start>|<end>|<paging state>',"
              + " as a token-range selector writes it");
    }
    String cursorStart = value.substring(0, a);
    String cursorEnd = value.substring(a + 1, b);
    if (!cursorStart.equals(start) || !cursorEnd.equals(end)) {
      throw new IllegalArgumentException(
          "cursor is '" + Quote.abbreviate(value) + "' for shard " + shardId + ": it belongs to token range (" + cursorStart + ", "
              + cursorEnd + "], not to this shard's (" + start + ", " + end + "]");
    }
    String state = value.substring(b + 1);
    if (state.isEmpty()) {
      return new TokenRangeCursor(start, end, null);
    }
    try {
      return new TokenRangeCursor(start, end, ByteBuffer.wrap(Base64.getDecoder().decode(state)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cursor is '" + Quote.abbreviate(value) + "' for shard " + shardId + ": its paging state is not Base64", e);
    }
  }
}
