package dev.reprocess.elasticsearch.internal;

import dev.reprocess.Cursor;
import dev.reprocess.internal.Quote;

/**
 * The resume position inside one shard of an {@code ElasticsearchSelector}: every document the
 * shard reads (see {@link SeqNoSlicing#reads}) whose {@code _seq_no} is at most {@link
 * #position()} in the point in time it was read from has been delivered; {@link #base()} is the
 * highest {@code _seq_no} the shard saw when it was first read, up to which its slice's blocks
 * are its own (above it every slice reads everything). A cursor also names what it belongs to:
 * the shard's id and the index's uuid, since {@code _seq_no}s mean nothing in another shard or in
 * an index deleted and created again under the same name ({@link #requireBelongsTo}).
 *
 * <p>Serialized form: {@code es-seqno:v3:<position>:<base>:<shard id>:<index uuid or ->}, e.g.
 * {@code es-seqno:v3:41234:199999:assets[0]/slice-1-of-4:Zx3vY0k2Tq6mJ0Q8k1x6Xw}. Older forms
 * still read, without an identity to check: {@code es-seqno:v2:<position>:<base>}, and {@code
 * es-seqno:v1:<position>:<maxSeqNo>} (written before the tail was read), read as the same
 * position with its {@code maxSeqNo} as the base: the shard then also reads what was written
 * above it, which a {@code v1} reader skipped. Immutable.
 *
 * @param position the last {@code _seq_no} covered, -1 before the first document
 * @param base the highest {@code _seq_no} split into blocks, -1 for a shard that was empty
 * @param shardId the id of the shard it belongs to ({@link EsShard#id()}), {@code null} for an old cursor
 * @param indexUuid the uuid of the shard's index, {@code null} when unknown or for an old cursor
 */
public record SeqNoCursor(long position, long base, String shardId, String indexUuid) {

  static final String PREFIX = "es-seqno:v3:";
  static final String PREFIX_V2 = "es-seqno:v2:";
  static final String PREFIX_V1 = "es-seqno:v1:";
  private static final String NO_UUID = "-";

  public SeqNoCursor {
    if (position < -1 || base < -1) {
      throw new IllegalArgumentException(
          "cursor position " + position + " and base " + base + ": both must be at least -1");
    }
  }

  /** A cursor without identity, as a {@code v2} cursor reads. */
  public SeqNoCursor(long position, long base) {
    this(position, base, null, null);
  }

  /** The cursor as the engine stores it: {@code v3} when it knows its shard, else {@code v2}. */
  public Cursor toCursor() {
    if (shardId == null) {
      return Cursor.of(PREFIX_V2 + position + ":" + base);
    }
    return Cursor.of(PREFIX + position + ":" + base + ":" + shardId + ":" + (indexUuid == null ? NO_UUID : indexUuid));
  }

  /**
   * Refuses a cursor written for another shard, or for an earlier index of the same name. A cursor
   * without identity ({@code v1}, {@code v2}) or without uuid passes what it cannot check.
   *
   * @throws IllegalArgumentException naming the cursor's shard and the shard it was given for
   */
  public void requireBelongsTo(EsShard shard) {
    String restart = "; it cannot resume this shard: run the job with restart(true) to read the shard from its start";
    if (shardId != null && !shardId.equals(shard.id())) {
      throw new IllegalArgumentException("cursor '" + toCursor().value() + "' belongs to shard '" + shardId
          + "', not to shard '" + shard.id() + "' (checkpoints written by another selector, or edited)" + restart);
    }
    if (indexUuid != null && shard.indexUuid() != null && !indexUuid.equals(shard.indexUuid())) {
      throw new IllegalArgumentException("cursor '" + toCursor().value() + "' was written for index '" + shard.index()
          + "' with uuid " + indexUuid + ", but that index now has uuid " + shard.indexUuid()
          + ": it was deleted and created again, so the cursor's _seq_no positions mean nothing in it" + restart);
    }
  }

  /**
   * Reads a cursor written by {@link #toCursor()}, or by the {@code v2} and {@code v1} formats
   * before it.
   *
   * @throws IllegalArgumentException if the cursor was not produced by this selector
   */
  public static SeqNoCursor parse(Cursor cursor) {
    String value = cursor.value();
    if (value.startsWith(PREFIX)) {
      return parseV3(value);
    }
    String prefix = value.startsWith(PREFIX_V2) ? PREFIX_V2 : value.startsWith(PREFIX_V1) ? PREFIX_V1 : null;
    if (prefix == null) {
      throw notOurs(value, "it does not start with '" + PREFIX + "' (or '" + PREFIX_V2 + "', '" + PREFIX_V1 + "')");
    }
    String[] parts = value.substring(prefix.length()).split(":", -1);
    if (parts.length != 2) {
      throw notOurs(value, "it must hold two numbers after the prefix");
    }
    return numbers(value, parts[0], parts[1], null, null);
  }

  /** {@code <position>:<base>:<shard id>:<uuid>}; the shard id may hold ':', so the uuid is taken from the end. */
  private static SeqNoCursor parseV3(String value) {
    String rest = value.substring(PREFIX.length());
    String[] numbers = rest.split(":", 3);
    int lastColon = numbers.length == 3 ? numbers[2].lastIndexOf(':') : -1;
    if (lastColon <= 0 || lastColon == numbers[2].length() - 1) {
      throw notOurs(value, "it must hold two numbers, a shard id and an index uuid (or '-') after the prefix");
    }
    String uuid = numbers[2].substring(lastColon + 1);
    return numbers(value, numbers[0], numbers[1], numbers[2].substring(0, lastColon), NO_UUID.equals(uuid) ? null : uuid);
  }

  private static SeqNoCursor numbers(String value, String position, String base, String shardId, String uuid) {
    try {
      return new SeqNoCursor(Long.parseLong(position), Long.parseLong(base), shardId, uuid);
    } catch (NumberFormatException e) {
      throw notOurs(value, "'" + position + "' and '" + base + "' must be integers");
    } catch (IllegalArgumentException e) {
      throw notOurs(value, e.getMessage());
    }
  }

  private static IllegalArgumentException notOurs(String value, String why) {
    return new IllegalArgumentException(
        "cursor '" + Quote.abbreviate(value) + "' was not produced by ElasticsearchSelector: " + why);
  }
}
