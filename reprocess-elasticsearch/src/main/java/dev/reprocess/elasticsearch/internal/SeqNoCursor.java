package dev.reprocess.elasticsearch.internal;

import dev.reprocess.Cursor;

/**
 * The resume position inside one shard of an {@code ElasticsearchSelector}: every document the
 * shard reads (see {@link SeqNoSlicing#reads}) whose {@code _seq_no} is at most {@link
 * #position()} in the point in time it was read from has been delivered; {@link #base()} is the
 * highest {@code _seq_no} the shard saw when it was first read, up to which its slice's blocks
 * are its own (above it every slice reads everything).
 *
 * <p>Serialized form: {@code es-seqno:v2:<position>:<base>}, e.g. {@code es-seqno:v2:41234:199999}.
 * A {@code v1} cursor ({@code es-seqno:v1:<position>:<maxSeqNo>}, written before the tail was read)
 * is read as the same position with its {@code maxSeqNo} as the base: the shard then also reads
 * what was written above it, which a {@code v1} reader skipped. Immutable.
 *
 * @param position the last {@code _seq_no} covered, -1 before the first document
 * @param base the highest {@code _seq_no} split into blocks, -1 for a shard that was empty
 */
public record SeqNoCursor(long position, long base) {

  static final String PREFIX = "es-seqno:v2:";
  static final String PREFIX_V1 = "es-seqno:v1:";

  public SeqNoCursor {
    if (position < -1 || base < -1) {
      throw new IllegalArgumentException(
          "cursor position " + position + " and base " + base + ": both must be at least -1");
    }
  }

  /** The cursor as the engine stores it. */
  public Cursor toCursor() {
    return Cursor.of(PREFIX + position + ":" + base);
  }

  /**
   * Reads a cursor written by {@link #toCursor()}, or by the {@code v1} format before it.
   *
   * @throws IllegalArgumentException if the cursor was not produced by this selector
   */
  public static SeqNoCursor parse(Cursor cursor) {
    String value = cursor.value();
    String prefix = value.startsWith(PREFIX) ? PREFIX : value.startsWith(PREFIX_V1) ? PREFIX_V1 : null;
    if (prefix == null) {
      throw notOurs(value, "it does not start with '" + PREFIX + "' (or '" + PREFIX_V1 + "')");
    }
    String[] parts = value.substring(prefix.length()).split(":", -1);
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
