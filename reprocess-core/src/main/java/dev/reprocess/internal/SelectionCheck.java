package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.SelectionDefinition;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Refuses to resume a job's checkpoints under another selection: compares the selector's {@link
 * AssetSelector#selectionDefinition() definition} with the one stored with the checkpoints, and
 * stores the run's definition. Runs on the coordinator thread, after a {@code restart} deleted the
 * checkpoints and before any shard is read or any checkpoint written.
 */
final class SelectionCheck {

  private static final Logger LOG = RunContext.LOG;

  private SelectionCheck() {}

  /**
   * @param hasCheckpoints whether the job has checkpoints to resume
   * @throws IllegalStateException if the definition changed and the job does not accept it; the
   *     message names each changed property
   */
  static void verify(JobSpec spec, boolean hasCheckpoints) {
    String prefix = spec.logPrefix();
    String definition = spec.selector().selectionDefinition();
    CheckpointStore store = spec.checkpointStore();
    if (definition == null) {
      LOG.info("{}selector {} has no selection definition: checkpoints are resumed unchecked",
          prefix, spec.selector().describe());
      return;
    }
    if (!store.keepsSelection()) {
      LOG.warn("{}checkpoint store {} keeps no selection definition: a changed selection under this"
          + " job name would resume checkpoints of the old one unchecked", prefix, store);
      return;
    }
    Optional<String> stored = store.loadSelection(spec.name());
    if (stored.isPresent() && !stored.get().equals(definition)) {
      List<String> changes = SelectionDefinition.differences(stored.get(), definition);
      if (hasCheckpoints && !spec.acceptChangedSelection()) {
        throw new IllegalStateException(prefix + "the selection differs from the one its checkpoints"
            + " were written under (" + String.join("; ", changes) + "); refusing to resume them."
            + " Run with restart(true) to start over, acceptChangedSelection(true) to resume them"
            + " anyway, or give the job another name");
      }
      if (hasCheckpoints) {
        LOG.warn("{}selection changed ({}); resuming its checkpoints as acceptChangedSelection is set",
            prefix, String.join("; ", changes));
      }
    }
    if (stored.isEmpty() || !stored.get().equals(definition)) {
      store.saveSelection(spec.name(), definition);
    }
    if (LOG.isDebugEnabled()) { // a hash of the definition: not computed for every shard job of a host
      LOG.debug("{}selection fingerprint {}", prefix, SelectionDefinition.fingerprint(definition));
    }
  }
}
