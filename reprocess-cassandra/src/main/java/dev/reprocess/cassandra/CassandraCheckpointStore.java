package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.Cursor;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import dev.reprocess.ReprocessException;
import dev.reprocess.cassandra.internal.DriverErrors;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementOptions;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps checkpoints in a Cassandra table, so that a job that dies (or runs on another host)
 * resumes where it stopped. One row per shard of a job, one partition per job:
 *
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS <keyspace>.reprocess_checkpoints (
 *   job_name text,
 *   shard_id text,
 *   cursor text,
 *   state text,
 *   selected bigint,
 *   succeeded bigint,
 *   skipped bigint,
 *   dead_lettered bigint,
 *   updated_at timestamp,
 *   lease_owner text static,
 *   lease_token bigint static,
 *   lease_renewed_at timestamp static,
 *   lease_expires_at timestamp static,
 *   selection text static,
 *   PRIMARY KEY ((job_name), shard_id))
 * }</pre>
 *
 * <p>The static columns hold the job's lease and selection definition, one per partition (so per
 * job). {@link #acquireLease} changes the lease with lightweight transactions ({@code UPDATE ...
 * IF lease_token = null ...} for a first lease, {@code IF lease_owner = ? AND lease_token = ?} to take
 * over, renew and release; serial consistency {@code LOCAL_SERIAL}): a job's first lease takes one
 * request (the transaction, whose result, when it does not apply, holds the lease as it is), a
 * later one two (that transaction, then the one that takes the lease over); a run saves its checkpoints
 * with {@code UPDATE ... IF lease_owner = ? AND lease_token = ?} on the shard's row, in the same
 * partition as the lease, so a checkpoint of a holder that lost the lease never lands. Such a save
 * is a Paxos round, several times the cost of a plain write; a run's checkpoints are written in
 * rounds ({@code checkpointInterval}) through {@link JobLease#saveAll}, which sends a round's
 * updates as conditional batches, one Paxos round per batch.
 * {@link #save} (outside a run) stays a plain {@code INSERT}. {@link #delete} removes the shard
 * rows and the selection but keeps the lease and its fencing token.
 *
 * <p>Migration: a table created before leases lacks the static columns. {@link
 * Builder#createTable(boolean) createTable(true)} adds them ({@code ALTER TABLE ... ADD ...
 * static}); without it, {@link Builder#build()} refuses the table and names the {@code ALTER}
 * statements to run. Existing checkpoints are kept.
 *
 * <p>Create it with {@link Builder#createTable(boolean) createTable(true)}, or run the statement
 * {@link #createTableCql(String)} gives (for example in the service's schema migrations) and leave
 * the option off. {@code state} is {@code IN_PROGRESS} or {@code COMPLETED}; {@code cursor} is
 * {@code null} until the shard has a first page done.
 *
 * <p>Writes and reads use {@link ConsistencyLevel#LOCAL_QUORUM} unless told otherwise, so a job
 * resumed by another host of the same data center sees the last checkpoint. Every statement is
 * prepared once. Failures are {@link dev.reprocess.RetriableException}s when transient, {@link
 * ReprocessException}s otherwise.
 *
 * <p>Thread-safe. Owns nothing: the session is the host's, so {@link #close()} does nothing.
 */
public final class CassandraCheckpointStore implements CheckpointStore {
  /** The default table name. */
  public static final String DEFAULT_TABLE = "reprocess_checkpoints";

  private static final Map<String, DataType> COLUMNS = columns();
  private static final Map<String, DataType> STATIC_COLUMNS = staticColumns();

  private final CqlSession session;
  private final TableName table;
  private final StatementOptions statementOptions;
  private final Lazy<Statements> statements = new Lazy<>(this::prepareStatements);

  private CassandraCheckpointStore(CqlSession session, TableName table, StatementOptions statementOptions) {
    this.session = session;
    this.table = table;
    this.statementOptions = statementOptions;
  }

  /** A builder over the host's session (never closed by the store). */
  public static Builder builder(CqlSession session) {
    return new Builder(session);
  }

  /**
   * The statement that creates the checkpoint table (with {@code IF NOT EXISTS}).
   *
   * @param table {@code keyspace.table}
   * @throws IllegalArgumentException if {@code table} is not a valid qualified CQL name
   */
  public static String createTableCql(String table) {
    return createTableCql(Identifiers.parseTable("table", table, null));
  }

  private static String createTableCql(TableName table) {
    return "CREATE TABLE IF NOT EXISTS " + table.cql() + " (job_name text, shard_id text, cursor text, state text,"
        + " selected bigint, succeeded bigint, skipped bigint, dead_lettered bigint, updated_at timestamp,"
        + " lease_owner text static, lease_token bigint static, lease_renewed_at timestamp static,"
        + " lease_expires_at timestamp static, selection text static,"
        + " PRIMARY KEY ((job_name), shard_id))";
  }

  /** The static columns added for leases and selection definitions, with their CQL types. */
  private static Map<String, DataType> staticColumns() {
    Map<String, DataType> c = new LinkedHashMap<>();
    c.put("lease_owner", DataTypes.TEXT);
    c.put("lease_token", DataTypes.BIGINT);
    c.put("lease_renewed_at", DataTypes.TIMESTAMP);
    c.put("lease_expires_at", DataTypes.TIMESTAMP);
    c.put("selection", DataTypes.TEXT);
    return c;
  }

  private static String addColumnCql(TableName table, String column, DataType type) {
    return "ALTER TABLE " + table.cql() + " ADD " + column + " " + type.asCql(false, true) + " static";
  }

  private static Map<String, DataType> columns() {
    Map<String, DataType> c = new LinkedHashMap<>();
    c.put("job_name", DataTypes.TEXT);
    c.put("shard_id", DataTypes.TEXT);
    c.put("cursor", DataTypes.TEXT);
    c.put("state", DataTypes.TEXT);
    c.put("selected", DataTypes.BIGINT);
    c.put("succeeded", DataTypes.BIGINT);
    c.put("skipped", DataTypes.BIGINT);
    c.put("dead_lettered", DataTypes.BIGINT);
    c.put("updated_at", DataTypes.TIMESTAMP);
    return c;
  }

  @Override
  public Map<String, Checkpoint> load(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    Map<String, Checkpoint> checkpoints = new HashMap<>();
    String what = "job '" + jobName + "': loading checkpoints from " + table.cql();
    try {
      for (Row row : session.execute(apply(statements().load.bind(jobName)))) {
        if (row.isNull("shard_id")) {
          continue; // a partition holding only the lease and selection
        }
        String cursor = row.getString("cursor");
        String state = row.getString("state");
        Checkpoint.State s;
        try {
          s = Checkpoint.State.valueOf(state);
        } catch (RuntimeException e) {
          throw new ReprocessException(
              what + ": shard " + row.getString("shard_id") + " has state '" + state + "', not IN_PROGRESS or COMPLETED",
              e);
        }
        Instant updatedAt = row.getInstant("updated_at");
        Checkpoint checkpoint = new Checkpoint(
            jobName,
            row.getString("shard_id"),
            cursor == null || cursor.isEmpty() ? null : Cursor.of(cursor),
            s,
            row.getLong("selected"),
            row.getLong("succeeded"),
            row.getLong("skipped"),
            row.getLong("dead_lettered"),
            updatedAt == null ? Instant.EPOCH : updatedAt);
        checkpoints.put(checkpoint.shardId(), checkpoint);
      }
    } catch (ReprocessException e) {
      throw e;
    } catch (RuntimeException e) {
      // Unreachable or transient (a restarting node): an outage the engine waits for, within its budget.
      throw DriverErrors.translateOutage(backend(table.cql()), what, e);
    }
    return checkpoints;
  }

  @Override
  public void save(Checkpoint c) {
    Objects.requireNonNull(c, "checkpoint");
    BoundStatement s = statements().save.bind(
        c.jobName(),
        c.shardId(),
        c.cursor() == null ? null : c.cursor().value(),
        c.state().name(),
        c.selected(),
        c.succeeded(),
        c.skipped(),
        c.deadLettered(),
        c.updatedAt());
    try {
      session.execute(apply(s));
    } catch (RuntimeException e) {
      // Transient failures (a restarting node) are outages the engine waits for, within its budget.
      throw DriverErrors.translateOutage(backend(table.cql()),
          "job '" + c.jobName() + "': saving the checkpoint of shard " + c.shardId() + " to " + table.cql(), e);
    }
  }

  @Override
  public void delete(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    try {
      session.execute(apply(statements().delete.bind(jobName)));
      session.execute(apply(statements().saveSelection.bind(null, jobName)));
    } catch (RuntimeException e) {
      throw DriverErrors.translate("job '" + jobName + "': deleting checkpoints from " + table.cql(), e);
    }
  }

  @Override
  public Optional<String> loadSelection(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    try {
      Row row = session.execute(apply(statements().loadSelection.bind(jobName))).one();
      return Optional.ofNullable(row == null ? null : row.getString("selection"));
    } catch (RuntimeException e) {
      throw DriverErrors.translate("job '" + jobName + "': loading the selection from " + table.cql(), e);
    }
  }

  @Override
  public void saveSelection(String jobName, String definition) {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(definition, "definition");
    try {
      session.execute(apply(statements().saveSelection.bind(definition, jobName)));
    } catch (RuntimeException e) {
      throw DriverErrors.translate("job '" + jobName + "': saving the selection to " + table.cql(), e);
    }
  }

  @Override
  public boolean keepsSelection() {
    return true;
  }

  /** The lease holder in the job's partition's static columns, read at the store's consistency. */
  @Override
  public Optional<LeaseHolder> leaseHolder(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    return CassandraLease.currentHolder(session, statementOptions, statements().lease, table.cql(),
        jobName);
  }

  /** The job's lease in its partition's static columns; see the class comment. */
  @Override
  public JobLease acquireLease(String jobName, String owner, Duration timeToLive,
      boolean takeOverExpired) {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(timeToLive, "timeToLive");
    return CassandraLease.acquire(session, statementOptions, statements().lease, table.cql(), jobName,
        owner, timeToLive, takeOverExpired, CassandraCheckpointStore::bindCounters);
  }

  /** Binds a checkpoint's values by name, for the fenced save. */
  private static BoundStatement bindCounters(BoundStatement s, Checkpoint c) {
    return s.setString("cursor", c.cursor() == null ? null : c.cursor().value())
        .setString("state", c.state().name())
        .setLong("selected", c.selected())
        .setLong("succeeded", c.succeeded())
        .setLong("skipped", c.skipped())
        .setLong("dead_lettered", c.deadLettered())
        .setInstant("updated_at", c.updatedAt());
  }

  /** The backend an outage of the checkpoint table is reported and waited for as. */
  static String backend(String table) {
    return "cassandra checkpoint table " + table;
  }

  /** Nothing to release: the session is the host's. */
  @Override
  public void close() {}

  private BoundStatement apply(BoundStatement s) {
    return statementOptions.apply(s);
  }

  private Statements statements() {
    return statements.get();
  }

  private Statements prepareStatements() {
    String t = table.cql();
    return StatementPreparation.prepare("checkpoint store " + t, () -> new Statements(
        session.prepare("SELECT shard_id, cursor, state, selected, succeeded, skipped, dead_lettered, updated_at"
            + " FROM " + t + " WHERE job_name = ?"),
        session.prepare("INSERT INTO " + t + " (job_name, shard_id, cursor, state, selected, succeeded, skipped,"
            + " dead_lettered, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        session.prepare("DELETE FROM " + t + " WHERE job_name = ? AND shard_id >= ''"),
        session.prepare("SELECT selection FROM " + t + " WHERE job_name = ? LIMIT 1"),
        session.prepare("UPDATE " + t + " SET selection = ? WHERE job_name = ?"),
        prepareLease(t)));
  }

  private CassandraLease.Statements prepareLease(String t) {
    String set = "UPDATE " + t + " SET lease_owner = ?, lease_token = ?, lease_renewed_at = ?,"
        + " lease_expires_at = ? WHERE job_name = ?";
    return new CassandraLease.Statements(
        session.prepare("SELECT lease_owner, lease_token, lease_renewed_at, lease_expires_at FROM " + t
            + " WHERE job_name = ? LIMIT 1"),
        session.prepare(set + " IF lease_token = null AND lease_owner = null AND lease_renewed_at = null"
            + " AND lease_expires_at = null"),
        session.prepare(set + " IF lease_token = null"),
        session.prepare(set + " IF lease_owner = ? AND lease_token = ?"),
        session.prepare("UPDATE " + t + " SET lease_renewed_at = ?, lease_expires_at = ? WHERE job_name = ?"
            + " IF lease_owner = ? AND lease_token = ?"),
        session.prepare("UPDATE " + t + " SET lease_owner = null, lease_expires_at = ? WHERE job_name = ?"
            + " IF lease_owner = ? AND lease_token = ?"),
        session.prepare("UPDATE " + t + " SET cursor = :cursor, state = :state, selected = :selected,"
            + " succeeded = :succeeded, skipped = :skipped, dead_lettered = :dead_lettered,"
            + " updated_at = :updated_at WHERE job_name = :job_name AND shard_id = :shard_id"
            + " IF lease_owner = :holder AND lease_token = :fence"));
  }

  private record Statements(PreparedStatement load, PreparedStatement save, PreparedStatement delete,
      PreparedStatement loadSelection, PreparedStatement saveSelection, CassandraLease.Statements lease) {}

  /** Builds a {@link CassandraCheckpointStore}. Mutable and not thread-safe. */
  public static final class Builder extends CassandraTableBuilder<Builder> {
    private boolean createTable;

    private Builder(CqlSession session) {
      super(session, ConsistencyLevel.LOCAL_QUORUM);
    }

    /**
     * Sets the {@link #table(String) table} to {@code <keyspace>.}{@value
     * CassandraCheckpointStore#DEFAULT_TABLE}: use one of the two.
     */
    public Builder keyspace(String keyspace) {
      return table(keyspace == null ? null : keyspace + "." + DEFAULT_TABLE);
    }

    /**
     * Whether {@link #build()} creates the table ({@code CREATE TABLE IF NOT EXISTS}, in an
     * existing keyspace). Default false: the table must exist.
     */
    public Builder createTable(boolean createTable) {
      this.createTable = createTable;
      return this;
    }

    /**
     * The store. Checks the options, then the keyspace (and, without {@code createTable}, the
     * table and its columns) against the session's schema metadata; with {@code createTable}, then
     * creates the table.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     * @throws ReprocessException if the table cannot be created
     */
    public CassandraCheckpointStore build() {
      CqlSession session = checkedSession();
      TableName name = checkedTable("the checkpoint table, e.g. 'reprocess." + DEFAULT_TABLE + "'");
      StatementOptions statementOptions = checkedStatementOptions();
      SchemaCheck.keyspace(session, "table", name);
      if (createTable) {
        try {
          session.execute(SimpleStatement.newInstance(createTableCql(name)));
        } catch (RuntimeException e) {
          throw DriverErrors.translate("checkpoint store " + name.cql() + ": creating the table failed", e);
        }
      }
      TableMetadata t;
      try {
        t = SchemaCheck.table(session, "table", name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            e.getMessage() + ": create it with createTable(true) or with: " + createTableCql(name), e);
      }
      checkColumns(t, name, COLUMNS);
      addStaticColumns(session, t, name);
      return new CassandraCheckpointStore(session, name, statementOptions);
    }

    private static void checkColumns(TableMetadata t, TableName name, Map<String, DataType> columns) {
      for (Map.Entry<String, DataType> c : columns.entrySet()) {
        ColumnMetadata column = SchemaCheck.column(t, "table", CqlIdentifier.fromInternal(c.getKey()));
        if (!column.getType().equals(c.getValue())) {
          throw new IllegalArgumentException(
              "table is '" + name.cql() + "': column " + c.getKey() + " is " + SchemaCheck.typeOf(column)
                  + ", it must be " + c.getValue().asCql(false, true) + " as in: " + createTableCql(name));
        }
      }
    }

    /** Migrates a table made before leases: adds the static columns (createTable) or names them. */
    private void addStaticColumns(CqlSession session, TableMetadata t, TableName name) {
      List<String> alters = new ArrayList<>();
      STATIC_COLUMNS.forEach((column, type) -> {
        if (t.getColumn(CqlIdentifier.fromInternal(column)).isEmpty()) {
          alters.add(addColumnCql(name, column, type));
        }
      });
      if (alters.isEmpty()) {
        checkColumns(t, name, STATIC_COLUMNS);
        return;
      }
      if (!createTable) {
        throw new IllegalArgumentException("table is '" + name.cql() + "': it has no column for the job"
            + " lease and selection (made before them); add them with createTable(true) or with: "
            + String.join("; ", alters));
      }
      for (String alter : alters) {
        try {
          session.execute(SimpleStatement.newInstance(alter));
        } catch (RuntimeException e) {
          throw DriverErrors.translate("checkpoint store " + name.cql() + ": " + alter + " failed", e);
        }
      }
    }
  }
}
