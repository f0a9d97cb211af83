package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.RowSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The options the selectors that read a table share, on top of {@link CassandraTableBuilder}'s:
 * columns read along with each id, and a filter over the rows read. Declared once here for {@link
 * TimeBucketSelector.Builder}, {@link TableSelector.Builder} and {@link TokenRangeSelector.Builder}; it is sealed, users do not
 * extend it. {@code build()} checks that every {@code selectColumns} name is a CQL identifier;
 * the selector's {@code shards()} checks that the table has them.
 *
 * @param <B> the builder's own type, returned by every setter
 */
public abstract sealed class CassandraSelectorBuilder<B extends CassandraSelectorBuilder<B>>
    extends CassandraTableBuilder<B> permits TimeBucketSelector.Builder, TokenRangeSelector.Builder, TableSelector.Builder {
  private final List<String> selectColumns = new ArrayList<>();
  private Predicate<Row> rowFilter;

  CassandraSelectorBuilder(CqlSession session) {
    super(session, null);
  }

  /**
   * Columns read along with each id: the row filter can look at them, and their non-null values
   * (as strings) become the asset's attributes, keyed by column name. Adds to earlier calls.
   * Default none.
   */
  public B selectColumns(String... columns) {
    selectColumns.addAll(Arrays.asList(columns));
    return self();
  }

  /**
   * Keeps only the rows for which {@code filter} returns true, evaluated as rows are read, e.g.
   * {@code row -> row.getInt("schema_version") < 3} with {@code selectColumns("schema_version")}.
   * The row holds the columns the selector reads (the id column; the asset-type column of a
   * {@link TokenRangeSelector} that has one) and the {@link #selectColumns} columns. Filtered rows
   * still advance the cursor. Called from the shard-reading threads: it must be thread-safe and
   * quick. Default none.
   */
  public B rowFilter(Predicate<Row> filter) {
    this.rowFilter = filter;
    return self();
  }

  /**
   * The row settings of the selector's reads, checked.
   *
   * @param firstExtra how many columns the selector reads before the {@code selectColumns}
   */
  final RowSettings checkedRowSettings(int firstExtra) {
    List<CqlIdentifier> extra = new ArrayList<>();
    for (String c : selectColumns) {
      extra.add(Identifiers.parse("selectColumns", c));
    }
    return new RowSettings(extra, firstExtra, rowFilter, checkedStatementOptions());
  }
}
