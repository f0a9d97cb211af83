package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import dev.reprocess.Cursor;
import dev.reprocess.internal.Quote;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The cursor of a table selector: the full clustering key of the last row handed out, typed, in a
 * round-trippable string {@code k1.<shape tag>.<value>.<value>...}. Each value is the CQL literal
 * of the column's codec ({@code 2026-12-01T10:00:00.000Z}, {@code 'abc'}, a uuid...) in base64url,
 * so any clustering type survives the round trip. {@code k1} is the format version; the shape tag
 * is a checksum of the table, its clustering columns and types and the read direction, so a cursor
 * made for another table, shape or selector is refused instead of misread. Immutable.
 */
public final class KeyCursor {
  private static final String VERSION = "k1";
  private static final CodecRegistry CODECS = CodecRegistry.DEFAULT;

  private final String tag;
  private final List<DataType> types;

  /**
   * @param shape what the cursor is only valid for (table, clustering columns and types, direction)
   * @param types the clustering columns' types, in clustering order
   */
  public KeyCursor(String shape, List<DataType> types) {
    CRC32 crc = new CRC32();
    crc.update(shape.getBytes(StandardCharsets.UTF_8));
    this.tag = Long.toHexString(crc.getValue());
    this.types = List.copyOf(types);
  }

  /** The cursor for a clustering key (one value per clustering column). */
  public Cursor encode(Object[] key) {
    StringBuilder sb = new StringBuilder(VERSION).append('.').append(tag);
    for (int i = 0; i < types.size(); i++) {
      String literal = codec(i).format(key[i]);
      sb.append('.').append(Base64.getUrlEncoder().withoutPadding()
          .encodeToString(literal.getBytes(StandardCharsets.UTF_8)));
    }
    return Cursor.of(sb.toString());
  }

  /**
   * The clustering key a cursor holds.
   *
   * @throws IllegalArgumentException naming the cursor and the shard if it is not a cursor of this shape
   */
  public Object[] decode(Cursor cursor, String shardId) {
    String value = cursor.value();
    String[] parts = value.split("\\.", -1);
    if (parts.length != types.size() + 2 || !parts[0].equals(VERSION)) {
      throw refused(value, shardId, "it must be '" + VERSION + ".<shape>' followed by " + types.size()
          + " clustering values, the cursor a table selector hands out");
    }
    if (!parts[1].equals(tag)) {
      throw refused(value, shardId, "it was made for another table, clustering key or read direction (shape "
          + Quote.excerpt(parts[1], 16) + ", this selector's is " + tag + ")");
    }
    Object[] key = new Object[types.size()];
    for (int i = 0; i < key.length; i++) {
      try {
        String literal = new String(Base64.getUrlDecoder().decode(parts[i + 2]), StandardCharsets.UTF_8);
        key[i] = codec(i).parse(literal);
      } catch (RuntimeException e) {
        throw refused(value, shardId, "clustering value " + (i + 1) + " is not a valid "
            + types.get(i).asCql(false, true));
      }
      if (key[i] == null) {
        throw refused(value, shardId, "clustering value " + (i + 1) + " is null");
      }
    }
    return key;
  }

  private TypeCodec<Object> codec(int i) {
    return CODECS.codecFor(types.get(i));
  }

  private static IllegalArgumentException refused(String value, String shardId, String rule) {
    return new IllegalArgumentException(
        "cursor is '" + Quote.excerpt(value, 120) + "' for shard " + shardId + ": " + rule);
  }
}
