package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.BackendUnavailableException;
import dev.reprocess.ReprocessException;
import dev.reprocess.ShardProgress;
import java.util.List;

/**
 * The checks a run makes after loading its checkpoints and before its first event, so that a job
 * that cannot deliver fails with the reason having written nothing: every checkpointed cursor is
 * one its shard's selector resumes from ({@link AssetSelector#checkCursor}), the checkpoint store
 * can write the job's checkpoints, the dead-letter sink can store, and the sink can deliver.
 * Cheapest first; the first failure ends the checks. A backend that is not reachable yet ({@link
 * BackendUnavailableException}) is waited for within the outage budget.
 */
final class Preflight {

  private Preflight() {}

  /**
   * @throws ReprocessException naming what cannot be used and why
   */
  static void check(RunContext run, List<ShardState> states) {
    checkCursors(run, states);
    step(run, "the checkpoint store " + run.spec.checkpointStore(),
        () -> run.spec.checkpointStore().preflight(run.name));
    step(run, "the dead-letter sink " + run.spec.deadLetterSink().describe(),
        () -> run.spec.deadLetterSink().preflight());
    step(run, "the sink " + run.sink().describe(), () -> run.sink().preflight());
  }

  private static void checkCursors(RunContext run, List<ShardState> states) {
    AssetSelector selector = run.spec.selector();
    for (ShardState s : states) {
      if (s.state != ShardProgress.State.PENDING || s.cursor == null) {
        continue;
      }
      try {
        selector.checkCursor(s.shard, s.cursor);
      } catch (RuntimeException e) {
        throw new ReprocessException(run.prefix + "the checkpoint of shard '" + s.shard.id() + "' holds cursor '"
            + Quote.abbreviate(s.cursor.value()) + "', which " + selector.describe() + " cannot resume from: "
            + e.getMessage() + ". The checkpoints were written by another selection or are damaged: run the job"
            + " with restart(true) to start over (or delete its checkpoints); nothing was delivered", e);
      }
    }
  }

  private static void step(RunContext run, String what, Runnable check) {
    try {
      run.outage.call(check, run::isStopping);
    } catch (ReprocessException e) {
      if (e.getCause() instanceof BackendUnavailableException) {
        throw e;
      }
      throw unusable(run, what, e);
    } catch (RuntimeException e) {
      throw unusable(run, what, e);
    }
  }

  private static ReprocessException unusable(RunContext run, String what, RuntimeException e) {
    return new ReprocessException(run.prefix + what + " cannot be used, so no event was delivered: "
        + e.getMessage(), e);
  }
}
