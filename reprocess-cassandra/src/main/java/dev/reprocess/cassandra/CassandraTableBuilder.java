package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.StatementOptions;
import dev.reprocess.cassandra.internal.TableName;

/**
 * The options every builder of this module that reads a table shares: the host's session, the
 * table, and the consistency level and execution profile of its statements. Declared once here,
 * so that they are named, defaulted and checked the same way by {@link TimeBucketSelector.Builder},
 * {@link TokenRangeSelector.Builder}, {@link AssetLoader.Builder} and {@link
 * CassandraCheckpointStore.Builder}; it is sealed, users do not extend it.
 *
 * <p>Mutable and not thread-safe, like every builder. Each builder's {@code build()} checks these
 * options (without I/O) and fails with an {@link IllegalArgumentException} naming the option, the
 * value and the rule: {@code session is null}, {@code table is not set}, a table name that is not
 * {@code keyspace.table} (or a bare name when the session has a keyspace), a blank execution
 * profile.
 *
 * @param <B> the builder's own type, returned by every setter
 */
public abstract sealed class CassandraTableBuilder<B extends CassandraTableBuilder<B>>
    permits CassandraSelectorBuilder, AssetLoader.Builder, CassandraCheckpointStore.Builder {
  private final CqlSession session;
  private final boolean consistencyLevelRequired;
  private String table;
  private ConsistencyLevel consistencyLevel;
  private String executionProfile;

  /**
   * @param defaultConsistencyLevel {@code null} for the session's default; otherwise that level,
   *     and a {@code null} level is refused by {@code build()}
   */
  CassandraTableBuilder(CqlSession session, ConsistencyLevel defaultConsistencyLevel) {
    this.session = session;
    this.consistencyLevel = defaultConsistencyLevel;
    this.consistencyLevelRequired = defaultConsistencyLevel != null;
  }

  /**
   * The table, {@code keyspace.table} (or a bare name when the session has a keyspace); either
   * part may be double-quoted to keep its case. Required.
   */
  public B table(String table) {
    this.table = table;
    return self();
  }

  /**
   * The consistency level of the statements. Default: the session's ({@link
   * CassandraCheckpointStore.Builder}: {@link ConsistencyLevel#LOCAL_QUORUM}, and it may not be
   * {@code null}).
   */
  public B consistencyLevel(ConsistencyLevel level) {
    this.consistencyLevel = level;
    return self();
  }

  /** The driver execution profile of the statements (timeouts, load balancing). Default: the session's. */
  public B executionProfile(String profileName) {
    this.executionProfile = profileName;
    return self();
  }

  @SuppressWarnings("unchecked") // sealed: every subclass is the B it declares
  final B self() {
    return (B) this;
  }

  /** The host's session, checked not null. */
  final CqlSession checkedSession() {
    if (session == null) {
      throw new IllegalArgumentException("session is null: it must be the host's CqlSession");
    }
    return session;
  }

  /**
   * The table, checked and parsed; call after {@link #checkedSession()}.
   *
   * @param what the table's role and an example for the message when it is not set, e.g. {@code
   *     the table, e.g. 'assets.assets'}
   */
  final TableName checkedTable(String what) {
    if (table == null) {
      throw new IllegalArgumentException("table is not set: it must name " + what);
    }
    return Identifiers.parseTable("table", table, session);
  }

  /** The consistency level and execution profile, checked. */
  final StatementOptions checkedStatementOptions() {
    return StatementOptions.check(consistencyLevel, executionProfile, consistencyLevelRequired);
  }
}
