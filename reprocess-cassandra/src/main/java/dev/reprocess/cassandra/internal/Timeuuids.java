package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;

/**
 * Timeuuid arithmetic in Cassandra's own order ({@code TimeUUIDType}: timestamp first, then the
 * clock sequence and node bytes compared as signed bytes), as {@link Uuids#startOf} and {@link
 * Uuids#endOf} implement it for {@code minTimeuuid} / {@code maxTimeuuid}.
 */
public final class Timeuuids {
  /** The smallest timeuuid there is: timestamp 0 (1582-10-15), lowest clock sequence and node. */
  public static final UUID MIN = new UUID(0x0000_0000_0000_1000L, 0x8080_8080_8080_8080L);

  /** The largest timeuuid there is: the highest 60-bit timestamp, highest clock sequence and node. */
  public static final UUID MAX = new UUID(0xFFFF_FFFF_FFFF_1FFFL, 0x7F7F_7F7F_7F7F_7F7FL);

  private Timeuuids() {}

  /**
   * The smallest timeuuid whose millisecond timestamp is at or after {@code instant}: {@code id >=
   * lowerBound(from)} keeps exactly the ids created at or after {@code from}, and {@code id <
   * lowerBound(to)} exactly those created before {@code to}, at the millisecond precision of
   * Cassandra's {@code toTimestamp(timeuuid)}.
   */
  public static UUID lowerBound(Instant instant) {
    long millis = instant.toEpochMilli();
    if (instant.getNano() % 1_000_000 != 0) {
      millis++; // ceiling: ids are compared at millisecond precision
    }
    return Uuids.startOf(millis);
  }

  /** The creation time of a timeuuid, at millisecond precision (as Cassandra's {@code toTimestamp}). */
  public static Instant createdAt(UUID id) {
    return Instant.ofEpochMilli(Uuids.unixTimestamp(id));
  }

  /** Reads a uuid from the 16 bytes of a serialized {@code uuid}/{@code timeuuid} value. */
  public static UUID decode(ByteBuffer bytes) {
    int p = bytes.position();
    return new UUID(bytes.getLong(p), bytes.getLong(p + 8));
  }

  /** True if {@code value} is the string form of a version 1 (time-based) uuid. */
  public static boolean isTimeuuid(String value) {
    return parse(value) != null;
  }

  /** The timeuuid {@code value} spells, or {@code null} if it is not one. */
  public static UUID parse(String value) {
    if (value == null || value.length() != 36) {
      return null;
    }
    try {
      UUID id = UUID.fromString(value);
      return id.version() == 1 ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
