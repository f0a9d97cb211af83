package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What every selector query shares: the extra columns read along with the id (copied into {@link
 * dev.reprocess.AssetRef#attributes()}), the row filter, and the statement options.
 *
 * @param extraColumns columns selected after the fixed ones, in order
 * @param firstExtra the index of the first extra column in the select list
 * @param filter keeps a row when it returns true; {@code null} keeps every row
 * @param statementOptions the consistency level and execution profile of the reads
 */
public record RowSettings(
    List<CqlIdentifier> extraColumns,
    int firstExtra,
    Predicate<Row> filter,
    StatementOptions statementOptions) {

  public RowSettings {
    extraColumns = List.copyOf(extraColumns);
  }

  /** {@code , "a", "b"} for the extra columns, or the empty string. */
  public String selectSuffix() {
    StringBuilder sb = new StringBuilder();
    for (CqlIdentifier c : extraColumns) {
      sb.append(", ").append(c.asCql(true));
    }
    return sb.toString();
  }

  /** True if the row filter keeps the row. */
  public boolean keep(Row row) {
    return filter == null || filter.test(row);
  }

  /** The extra columns of a row as attributes; an empty map when there are none. */
  public Map<String, String> attributes(Row row) {
    if (extraColumns.isEmpty()) {
      return Map.of();
    }
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < extraColumns.size(); i++) {
      Object value = row.getObject(firstExtra + i);
      if (value != null) {
        attributes.put(extraColumns.get(i).asInternal(), value.toString());
      }
    }
    return attributes;
  }

  /** Applies the page size and the statement options; every selector read is idempotent. */
  public BoundStatement apply(BoundStatement statement, int pageSize) {
    return statementOptions.apply(statement.setPageSize(pageSize));
  }
}
