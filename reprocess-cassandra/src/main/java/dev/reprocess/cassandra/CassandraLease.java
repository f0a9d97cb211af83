package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseHolder;
import dev.reprocess.LeaseLostException;
import dev.reprocess.cassandra.internal.DriverErrors;
import dev.reprocess.cassandra.internal.StatementOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A job's lease in the {@link CassandraCheckpointStore} table: static columns of the job's
 * partition ({@code lease_owner}, {@code lease_token}, {@code lease_renewed_at}, {@code
 * lease_expires_at}), changed only by lightweight transactions at {@code LOCAL_SERIAL}. A
 * checkpoint is saved with an {@code UPDATE ... IF lease_owner = ? AND lease_token = ?} on its row
 * of the same partition, so the fencing check and the write are one atomic operation; {@link
 * #saveAll} sends several such updates as one conditional batch (one Paxos round for all of them),
 * of at most {@value #BATCH_BYTES} bytes of checkpoint values (under Cassandra's default {@code
 * batch_size_warn_threshold} of 5 KiB) and {@value #BATCH_ROWS} rows. Thread-safe.
 */
final class CassandraLease implements JobLease {

  /** The largest conditional batch of {@link #saveAll}, in bytes of checkpoint values (estimated). */
  static final int BATCH_BYTES = 4096;
  /** The most checkpoints in one conditional batch of {@link #saveAll}. */
  static final int BATCH_ROWS = 50;
  /** What a checkpoint row costs in a batch besides its job name, shard id and cursor, in bytes. */
  private static final int ROW_BYTES = 80;

  /**
   * The statements of leases, prepared once per store. {@code createFirst} is {@code create} with
   * every lease column in its condition, so that a transaction that does not apply returns the
   * lease as it is (what {@code read} would have read).
   */
  record Statements(PreparedStatement read, PreparedStatement createFirst, PreparedStatement create,
      PreparedStatement takeOver, PreparedStatement renew, PreparedStatement release, PreparedStatement save) {}

  private final CqlSession session;
  private final StatementOptions options;
  private final Statements statements;
  private final String table;
  private final String job;
  private final Duration ttl;
  private final BiFunction<BoundStatement, Checkpoint, BoundStatement> bindCheckpoint;
  private volatile LeaseHolder mine;

  private CassandraLease(CqlSession session, StatementOptions options, Statements statements,
      String table, String job, Duration ttl,
      BiFunction<BoundStatement, Checkpoint, BoundStatement> bindCheckpoint, LeaseHolder mine) {
    this.session = session;
    this.options = options;
    this.statements = statements;
    this.table = table;
    this.job = job;
    this.ttl = ttl;
    this.bindCheckpoint = bindCheckpoint;
    this.mine = mine;
  }

  /**
   * See {@link dev.reprocess.CheckpointStore#acquireLease}. The first attempt is the transaction
   * that creates a lease where the job has none ({@code IF} every lease column {@code = null}): a
   * job that never held a lease in the table acquires it with that one request. If it does not
   * apply, its result holds the lease columns as they are (read at serial consistency), which
   * decide as a read would: our own (a retried acquisition that had applied), held, or free or
   * expired and taken over with a second transaction. Later attempts (another process changed the
   * lease in between) read the lease first.
   */
  static JobLease acquire(CqlSession session, StatementOptions options, Statements statements,
      String table, String job, String owner, Duration ttl, boolean takeOverExpired,
      BiFunction<BoundStatement, Checkpoint, BoundStatement> bindCheckpoint) {
    String what = "job '" + job + "': acquiring the lease in " + table;
    for (int attempt = 0; ; attempt++) {
      Instant now = Instant.now();
      Row current = null;
      if (attempt == 0) {
        LeaseHolder first = new LeaseHolder(owner, 1, now, now.plus(ttl));
        ResultSet rs = execute(session, options, table,
            statements.createFirst.bind(owner, 1L, now, first.expiresAt(), job), what);
        if (rs.wasApplied()) {
          return new CassandraLease(session, options, statements, table, job, ttl, bindCheckpoint, first);
        }
        current = rs.one();
      }
      if (current == null || current.isNull("lease_token")) {
        // Later attempts; or a lease row without a token (set by hand), which the read decides on.
        current = execute(session, options, table, statements.read.bind(job), what).one();
      }
      Long token = current == null || current.isNull("lease_token") ? null : current.getLong("lease_token");
      String holder = current == null ? null : current.getString("lease_owner");
      if (owner.equals(holder)) {
        // A retried transaction of ours that had applied.
        return new CassandraLease(session, options, statements, table, job, ttl, bindCheckpoint,
            holderOf(current));
      }
      if (holder != null) {
        LeaseHolder h = holderOf(current);
        if (!h.expiredAt(now) || !takeOverExpired) {
          throw LeaseHeldException.of(job, h, now);
        }
      }
      long next = token == null ? 1 : token + 1;
      LeaseHolder mine = new LeaseHolder(owner, next, now, now.plus(ttl));
      BoundStatement cas = token == null
          ? statements.create.bind(owner, next, now, mine.expiresAt(), job)
          : statements.takeOver.bind(owner, next, now, mine.expiresAt(), job, holder, token);
      if (execute(session, options, table, cas, what).wasApplied()) {
        return new CassandraLease(session, options, statements, table, job, ttl, bindCheckpoint, mine);
      }
      // Another process changed the lease in between: look again.
    }
  }

  /** See {@link dev.reprocess.CheckpointStore#leaseHolder}: empty when no owner is set. */
  static Optional<LeaseHolder> currentHolder(CqlSession session, StatementOptions options,
      Statements statements, String table, String job) {
    String what = "job '" + job + "': reading the lease holder in " + table;
    Row row = execute(session, options, table, statements.read.bind(job), what).one();
    return row == null || row.isNull("lease_owner") || row.isNull("lease_token")
        ? Optional.empty() : Optional.of(holderOf(row));
  }

  private static LeaseHolder holderOf(Row row) {
    Instant renewed = row.getInstant("lease_renewed_at");
    Instant expires = row.getInstant("lease_expires_at");
    return new LeaseHolder(row.getString("lease_owner"), row.getLong("lease_token"),
        renewed == null ? Instant.EPOCH : renewed, expires == null ? Instant.EPOCH : expires);
  }

  /**
   * Runs a lease statement. A node that cannot be reached ("no node available") or a transient
   * failure (a timeout of the transaction, too few replicas) is a {@link
   * dev.reprocess.BackendUnavailableException} of the checkpoint table, which the engine waits
   * through within the job's outage budget: every statement here may be sent again (a retried
   * acquisition that had applied finds its own owner; a renewal, a fenced save and a release are
   * idempotent).
   */
  private static <S extends Statement<S>> ResultSet execute(CqlSession session, StatementOptions options,
      String table, S s, String what) {
    try {
      return session.execute(options.apply(s).setSerialConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL));
    } catch (RuntimeException e) {
      throw DriverErrors.translateOutage(CassandraCheckpointStore.backend(table), what, e);
    }
  }

  @Override
  public String jobName() {
    return job;
  }

  @Override
  public LeaseHolder holder() {
    return mine;
  }

  @Override
  public void renew() {
    Instant now = Instant.now();
    LeaseHolder renewed = new LeaseHolder(mine.owner(), mine.fencingToken(), now, now.plus(ttl));
    ResultSet rs = execute(session, options, table, statements.renew.bind(now, renewed.expiresAt(), job,
        mine.owner(), mine.fencingToken()), "job '" + job + "': renewing the lease in " + table);
    if (!rs.wasApplied()) {
      throw lost("renewing the lease", rs.one());
    }
    mine = renewed;
  }

  @Override
  public void save(Checkpoint c) {
    ResultSet rs = execute(session, options, table, bindSave(c), "job '" + job
        + "': saving the checkpoint of shard " + c.shardId() + " to " + table);
    if (!rs.wasApplied()) {
      throw lost("saving the checkpoint of shard " + c.shardId(), rs.one());
    }
  }

  /** Conditional batches on the job's partition, each of at most {@link #BATCH_BYTES} (estimated). */
  @Override
  public void saveAll(List<Checkpoint> checkpoints) {
    int from = 0;
    while (from < checkpoints.size()) {
      int to = from;
      int bytes = 0;
      BatchStatementBuilder batch = BatchStatement.builder(BatchType.LOGGED);
      while (to < checkpoints.size() && to - from < BATCH_ROWS) {
        bytes += bytesOf(checkpoints.get(to));
        if (to > from && bytes > BATCH_BYTES) {
          break;
        }
        batch.addStatement(bindSave(checkpoints.get(to++)));
      }
      if (to - from == 1) {
        save(checkpoints.get(from));
      } else {
        String shards = (to - from) + " shards (" + checkpoints.get(from).shardId() + " to "
            + checkpoints.get(to - 1).shardId() + ")";
        ResultSet rs = execute(session, options, table, batch.build(), "job '" + job
            + "': saving the checkpoints of " + shards + " to " + table);
        if (!rs.wasApplied()) {
          throw lost("saving the checkpoints of " + shards, rs.one());
        }
      }
      from = to;
    }
  }

  private BoundStatement bindSave(Checkpoint c) {
    return bindCheckpoint.apply(statements.save.bind(), c)
        .setString("job_name", job).setString("shard_id", c.shardId())
        .setString("holder", mine.owner()).setLong("fence", mine.fencingToken());
  }

  private int bytesOf(Checkpoint c) {
    return ROW_BYTES + job.length() + c.shardId().length() + (c.cursor() == null ? 0 : c.cursor().value().length());
  }

  @Override
  public void close() {
    try {
      execute(session, options, table, statements.release.bind(Instant.now(), job, mine.owner(),
          mine.fencingToken()), "job '" + job + "': releasing the lease in " + table);
    } catch (RuntimeException e) {
      // It expires by itself; a lost lease is not ours to release.
    }
  }

  private LeaseLostException lost(String what, Row current) {
    String now = current == null || current.getString("lease_owner") == null ? "released"
        : "taken over by '" + current.getString("lease_owner") + "' (fencing token "
            + current.getLong("lease_token") + ")";
    return new LeaseLostException("job '" + job + "': " + what + " refused: the lease of '"
        + mine.owner() + "' (fencing token " + mine.fencingToken() + ") was " + now);
  }
}
