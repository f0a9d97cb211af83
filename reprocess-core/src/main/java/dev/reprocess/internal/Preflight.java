package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessException;
import java.util.List;

/**
 * The engine's preflight, before the first event is delivered: the sink, the dead-letter sink and
 * the checkpoint store say whether they are usable ({@code preflight()}), and the selector checks
 * every checkpointed cursor of the job ({@code checkCursor}). A backend that is not reachable yet
 * is waited for within the outage budget; anything else fails the job with the reason, before
 * anything is written.
 */
final class Preflight {

  private Preflight() {}

  static void check(RunContext run, List<ShardState> states) {
    step(run, "sink " + run.sink().describe(), () -> run.sink().preflight());
    step(run, "dead-letter sink " + run.spec.deadLetterSink().describe(),
        () -> run.spec.deadLetterSink().preflight());
    step(run, "checkpoint store", () -> run.spec.checkpointStore().preflight());
    for (ShardState s : states) {
      if (s.base != null && !s.base.completed() && s.base.cursor() != null) {
        step(run, "the checkpointed cursor of shard " + s.shard.id(),
            () -> run.spec.selector().checkCursor(s.shard, s.base.cursor()));
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

  private static ReprocessException unusable(RunContext run, String what, Throwable e) {
    return new ReprocessException(run.prefix + "preflight: " + what + " is not usable, nothing was"
        + " delivered or written: " + DeadLetters.describe(e), e);
  }
}
