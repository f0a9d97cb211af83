package dev.reprocess.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import java.time.Instant;
import java.util.Objects;

/** {@link JobLease#none}: no exclusivity, saves go straight to the store. Thread-safe. */
public record NoLease(CheckpointStore store) implements JobLease {

  public NoLease {
    Objects.requireNonNull(store, "store");
  }

  @Override
  public String jobName() {
    return "";
  }

  @Override
  public LeaseHolder holder() {
    return new LeaseHolder("", 0, Instant.EPOCH, Instant.MAX);
  }

  @Override
  public void renew() {}

  @Override
  public void save(Checkpoint checkpoint) {
    store.save(checkpoint);
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public void close() {}
}
