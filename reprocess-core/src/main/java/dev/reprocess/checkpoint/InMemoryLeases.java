package dev.reprocess.checkpoint;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseHolder;
import dev.reprocess.LeaseLostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The leases of an {@link InMemoryCheckpointStore}: one holder per job, fencing tokens that only
 * grow (kept when a lease is released or the checkpoints deleted). Every operation is atomic under
 * one monitor, saves included, so a save through a lease that was taken over never lands.
 */
final class InMemoryLeases {

  private final Map<String, LeaseHolder> holders = new HashMap<>();
  private final Map<String, Long> lastTokens = new HashMap<>();
  private final Clock clock;
  private final Consumer<Checkpoint> store;

  InMemoryLeases(Clock clock, Consumer<Checkpoint> store) {
    this.clock = clock;
    this.store = store;
  }

  synchronized Optional<LeaseHolder> holder(String job) {
    return Optional.ofNullable(holders.get(job));
  }

  synchronized JobLease acquire(String job, String owner, Duration ttl, boolean takeOverExpired) {
    Instant now = clock.instant();
    LeaseHolder current = holders.get(job);
    if (current != null && (!current.expiredAt(now) || !takeOverExpired)) {
      throw LeaseHeldException.of(job, current, now);
    }
    long token = lastTokens.getOrDefault(job, 0L) + 1;
    lastTokens.put(job, token);
    LeaseHolder mine = new LeaseHolder(owner, token, now, now.plus(ttl));
    holders.put(job, mine);
    return new Lease(job, mine, ttl);
  }

  private final class Lease implements JobLease {
    private final String job;
    private final Duration ttl;
    private volatile LeaseHolder mine;

    Lease(String job, LeaseHolder mine, Duration ttl) {
      this.job = job;
      this.mine = mine;
      this.ttl = ttl;
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
      synchronized (InMemoryLeases.this) {
        checkCurrent("renewing the lease");
        Instant now = clock.instant();
        mine = new LeaseHolder(mine.owner(), mine.fencingToken(), now, now.plus(ttl));
        holders.put(job, mine);
      }
    }

    @Override
    public void save(Checkpoint checkpoint) {
      synchronized (InMemoryLeases.this) {
        checkCurrent("saving the checkpoint of shard " + checkpoint.shardId());
        store.accept(checkpoint);
      }
    }

    @Override
    public void close() {
      synchronized (InMemoryLeases.this) {
        LeaseHolder current = holders.get(job);
        if (current != null && current.fencingToken() == mine.fencingToken()) {
          holders.remove(job);
        }
      }
    }

    private void checkCurrent(String what) {
      LeaseHolder current = holders.get(job);
      if (current == null || current.fencingToken() != mine.fencingToken()) {
        throw new LeaseLostException("job '" + job + "': " + what + " refused: the lease of '"
            + mine.owner() + "' (fencing token " + mine.fencingToken() + ") was "
            + (current == null ? "released" : "taken over by " + current));
      }
    }
  }
}
