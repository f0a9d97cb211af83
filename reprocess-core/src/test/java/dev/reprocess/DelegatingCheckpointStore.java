package dev.reprocess;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import java.util.List;
import java.util.Map;

/**
 * A test store over an {@link InMemoryCheckpointStore}: everything goes to it, and a test overrides
 * what it wants to watch or break. Without leases (a run saves through {@link #save}) unless a test
 * overrides {@link #acquireLease}; {@link Lease} wraps a real lease the same way.
 */
class DelegatingCheckpointStore implements CheckpointStore {
  final InMemoryCheckpointStore memory;

  DelegatingCheckpointStore() {
    this(new InMemoryCheckpointStore());
  }

  DelegatingCheckpointStore(InMemoryCheckpointStore memory) {
    this.memory = memory;
  }

  @Override
  public Map<String, Checkpoint> load(String jobName) {
    return memory.load(jobName);
  }

  @Override
  public void save(Checkpoint checkpoint) {
    memory.save(checkpoint);
  }

  @Override
  public void delete(String jobName) {
    memory.delete(jobName);
  }

  /** A lease that does what the real one does; a test overrides what it watches or breaks. */
  static class Lease implements JobLease {
    final JobLease real;

    Lease(JobLease real) {
      this.real = real;
    }

    @Override
    public String jobName() {
      return real.jobName();
    }

    @Override
    public LeaseHolder holder() {
      return real.holder();
    }

    @Override
    public void renew() {
      real.renew();
    }

    @Override
    public void save(Checkpoint checkpoint) {
      real.save(checkpoint);
    }

    @Override
    public void saveAll(List<Checkpoint> checkpoints) {
      real.saveAll(checkpoints);
    }

    @Override
    public void close() {
      real.close();
    }
  }
}
