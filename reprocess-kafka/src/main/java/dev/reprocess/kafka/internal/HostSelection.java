package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import dev.reprocess.SelectionDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selection check of a distributed job, made once per host instead of once per job it runs. The
 * host compares its selector's definition with the one stored under the distributed job's name
 * (refusing a changed one unless the host jobs accept changed selections) and stores it; its
 * host jobs then check against that verified definition through the store {@link #verify}
 * returns, which answers {@link CheckpointStore#loadSelection} of any host job with it and writes
 * no definition, so a host job makes neither the read nor the write. The guard is the same: every
 * host job of the job runs the one selection its records' fingerprint names, and a job whose
 * stored selection differs is refused before any shard runs.
 */
public final class HostSelection {
  private static final Logger log = LoggerFactory.getLogger(HostSelection.class);

  private HostSelection() {}

  /**
   * Checks and stores the definition under the job's name; returns the store the host jobs use.
   *
   * @param definition the host's selector's definition; null (no definition) checks nothing
   * @param acceptChanged whether the host jobs accept a changed selection ({@code
   *     acceptChangedSelection} of the job options)
   * @throws IllegalStateException if the stored definition differs and {@code acceptChanged} is
   *     false; the message names the job and each changed property
   */
  public static CheckpointStore verify(CheckpointStore store, String jobName, String definition,
      boolean acceptChanged) {
    if (definition == null || !store.keepsSelection()) {
      return store; // the host jobs check (or warn) as any job does
    }
    Optional<String> stored = store.loadSelection(jobName);
    if (stored.isPresent() && !stored.get().equals(definition)) {
      List<String> changes = SelectionDefinition.differences(stored.get(), definition);
      if (!acceptChanged) {
        throw new IllegalStateException("job '" + jobName + "': the selection differs from the one its shards"
            + " ran under (" + String.join("; ", changes) + "); refusing to resume their checkpoints. Set"
            + " acceptChangedSelection(true) in the job options to resume them anyway, or give the job another name");
      }
      log.warn("job '{}': selection changed ({}); its host jobs resume their checkpoints as"
          + " acceptChangedSelection is set", jobName, String.join("; ", changes));
    }
    if (stored.isEmpty() || !stored.get().equals(definition)) {
      store.saveSelection(jobName, definition);
    }
    return new Verified(store, definition);
  }

  /** A store whose selection definition is the host's verified one, for every job name. */
  private record Verified(CheckpointStore store, String definition) implements CheckpointStore {
    @Override
    public Map<String, Checkpoint> load(String jobName) {
      return store.load(jobName);
    }

    @Override
    public void save(Checkpoint checkpoint) {
      store.save(checkpoint);
    }

    @Override
    public void delete(String jobName) {
      store.delete(jobName);
    }

    @Override
    public void preflight(String jobName) {
      store.preflight(jobName);
    }

    @Override
    public Optional<String> loadSelection(String jobName) {
      return Optional.of(definition);
    }

    /** Nothing: the host stored the definition under the distributed job's name. */
    @Override
    public void saveSelection(String jobName, String definition) {}

    @Override
    public boolean keepsSelection() {
      return true;
    }

    @Override
    public JobLease acquireLease(String jobName, String owner, Duration timeToLive, boolean takeOverExpired) {
      return store.acquireLease(jobName, owner, timeToLive, takeOverExpired);
    }

    @Override
    public Optional<LeaseHolder> leaseHolder(String jobName) {
      return store.leaseHolder(jobName);
    }

    /** Nothing: the host's store outlives its host jobs. */
    @Override
    public void close() {}

    @Override
    public String toString() {
      return store.toString();
    }
  }
}
