package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import dev.reprocess.Shard;
import dev.reprocess.internal.Quote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The partitions of a selection: the product of each partition-key column's values (listed by the
 * host, or the bucket values of the window), one shard each. A shard's id names every column in
 * partition-key order, e.g. {@code tenant=a/asset_type=image/day=2026-12-01} ({@code %}, {@code /}
 * and {@code =} in a name or value percent-encoded, so two partitions never share an id), stable
 * across runs; its properties hold each value as a CQL literal (key {@code pk.<column>}), so the
 * shard can be read again from its properties alone. Immutable.
 */
public final class PartitionValues {
  /** The prefix of the shard properties holding the partition-key values. */
  public static final String PROPERTY_PREFIX = "pk.";

  /** One partition-key column and its values, in reading order. */
  public record Column(CqlIdentifier name, DataType type, List<Object> values) {
    public Column {
      values = List.copyOf(values);
    }
  }

  private final List<Column> columns;
  private final int assetTypeIndex;

  /**
   * @param columns every partition-key column, in partition-key order
   * @param assetTypeIndex the column whose value is the shards' asset type, or -1
   */
  public PartitionValues(List<Column> columns, int assetTypeIndex) {
    this.columns = List.copyOf(columns);
    this.assetTypeIndex = assetTypeIndex;
  }

  /**
   * Every combination of values, the last column varying fastest.
   *
   * @param maxShards the most shards there may be
   * @throws IllegalArgumentException if there are more
   */
  public List<Shard> shards(int maxShards) {
    long count = 1;
    for (Column c : columns) {
      count *= c.values().size();
      if (count > maxShards) {
        throw new IllegalArgumentException("partition values make more than " + maxShards
            + " shards (the product of the values of every partition-key column): list fewer values or narrow the window");
      }
    }
    List<Shard> shards = new ArrayList<>((int) count);
    int[] index = new int[columns.size()];
    for (long n = 0; n < count; n++) {
      shards.add(shard(index));
      for (int i = columns.size() - 1; i >= 0 && ++index[i] == columns.get(i).values().size(); i--) {
        index[i] = 0;
      }
    }
    return shards;
  }

  private Shard shard(int[] index) {
    StringBuilder id = new StringBuilder();
    Map<String, String> properties = new HashMap<>();
    String assetType = null;
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      Object value = c.values().get(index[i]);
      String name = c.name().asInternal();
      id.append(i == 0 ? "" : "/").append(escape(name)).append('=').append(escape(value.toString()));
      properties.put(PROPERTY_PREFIX + name, codec(c).format(value));
      if (i == assetTypeIndex) {
        assetType = value.toString();
      }
    }
    return new Shard(id.toString(), assetType, properties);
  }

  /**
   * The partition-key values of a shard, in partition-key order.
   *
   * @throws IllegalArgumentException if the shard was not made by a selector of this shape
   */
  public Object[] valuesOf(Shard shard) {
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      Column c = columns.get(i);
      String literal = shard.properties().get(PROPERTY_PREFIX + c.name().asInternal());
      try {
        values[i] = literal == null ? null : codec(c).parse(literal);
      } catch (RuntimeException e) {
        values[i] = null;
      }
      if (values[i] == null) {
        throw new IllegalArgumentException("shard is '" + Quote.excerpt(shard.id(), 120) + "': its property '"
            + PROPERTY_PREFIX + c.name().asInternal() + "' is " + (literal == null ? "missing" : "'"
            + Quote.excerpt(literal, 60) + "'") + ", it must be a " + c.type().asCql(false, true)
            + " literal, as a table selector of this table makes it");
      }
    }
    return values;
  }

  /**
   * Checks that every listed value is of its column's type.
   *
   * @throws IllegalArgumentException naming the option, the value and the rule
   */
  public static void checkTypes(String option, Column column) {
    TypeCodec<Object> codec = CodecRegistry.DEFAULT.codecFor(column.type());
    for (int i = 0; i < column.values().size(); i++) {
      Object v = column.values().get(i);
      if (v == null || !codec.accepts(v)) {
        throw new IllegalArgumentException(option + "[" + i + "] of " + column.name().asCql(true) + " is '"
            + Quote.excerpt(String.valueOf(v), 60) + "' (" + (v == null ? "null" : v.getClass().getSimpleName())
            + "): column " + column.name().asCql(true) + " is " + column.type().asCql(false, true)
            + ", so each value must be a " + codec.getJavaType().getRawType().getSimpleName());
      }
    }
  }

  /** A name or value in a shard id, with {@code %}, {@code /} and {@code =} percent-encoded so ids stay unique. */
  private static String escape(String s) {
    return s.replace("%", "%25").replace("/", "%2F").replace("=", "%3D");
  }

  private static TypeCodec<Object> codec(Column c) {
    return CodecRegistry.DEFAULT.codecFor(c.type());
  }
}
