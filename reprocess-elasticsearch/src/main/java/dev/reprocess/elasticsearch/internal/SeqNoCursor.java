package dev.reprocess.elasticsearch.internal;

import dev.reprocess.Cursor;

/**
 * The resume position inside one shard of an {@code ElasticsearchSelector}: every document of
 * the shard whose {@code _seq_no} is at most {@link #position()} has been delivered, and the shard
 * ends at {@link #maxSeqNo()}, the highest {@code _seq_no} of the Elasticsearch shard when the
 * selection of this shard started.
 *
 * <p>Serialized form: {@code es-seqno:v1:<position>:<maxSeqNo>}, e.g. {@code
 * es-seqno:v1:41234:199999}. Immutable.
 *
 * @param position the last {@code _seq_no} covered, -1 before the first document
 * @param maxSeqNo the end of the shard, -1 for an empty shard
 */
public record SeqNoCursor(long position, long maxSeqNo) {

  static final String PREFIX = "es-seqno:v1:";

  public SeqNoCursor {
    if (position < -1 || maxSeqNo < -1) {
      throw new IllegalArgumentException(
          "cursor position " + position + " and maxSeqNo " + maxSeqNo + ": both must be at least -1");
    }
  }

  /** The cursor as the engine stores it. */
  public Cursor toCursor() {
    return Cursor.of(PREFIX + position + ":" + maxSeqNo);
  }

  /**
   * Reads a cursor written by {@link #toCursor()}.
   *
   * @throws IllegalArgumentException if the cursor was not produced by this selector
   */
  public static SeqNoCursor parse(Cursor cursor) {
    String value = cursor.value();
    if (!value.startsWith(PREFIX)) {
      throw notOurs(value, "it does not start with '" + PREFIX + "'");
    }
    String[] parts = value.substring(PREFIX.length()).split(":", -1);
    if (parts.length != 2) {
      throw notOurs(value, "it must hold two numbers after the prefix");
    }
    try {
      return new SeqNoCursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    } catch (NumberFormatException e) {
      throw notOurs(value, "'" + parts[0] + "' and '" + parts[1] + "' must be integers");
    } catch (IllegalArgumentException e) {
      throw notOurs(value, e.getMessage());
    }
  }

  private static IllegalArgumentException notOurs(String value, String why) {
    return new IllegalArgumentException(
        "cursor '" + value + "' was not produced by ElasticsearchSelector: " + why);
  }
}
