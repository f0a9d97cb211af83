package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import java.util.Objects;

/** A validated keyspace and table name. */
public record TableName(CqlIdentifier keyspace, CqlIdentifier table) {

  public TableName {
    Objects.requireNonNull(keyspace, "keyspace");
    Objects.requireNonNull(table, "table");
  }

  /** The quoted form for a statement, e.g. {@code assets.assets_by_type_bucket}. */
  public String cql() {
    return keyspace.asCql(true) + "." + table.asCql(true);
  }

  @Override
  public String toString() {
    return cql();
  }
}
