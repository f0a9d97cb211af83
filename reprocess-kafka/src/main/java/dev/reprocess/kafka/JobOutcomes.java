package dev.reprocess.kafka;

/**
 * How many events of one job the workers finished, per outcome, added up over every worker that
 * published to the outcomes topic (see {@link KafkaReprocessWorker.Builder#outcomesTopic}).
 * Immutable.
 *
 * <p>Each count is of events, not attempts: an event that failed once and then succeeded through
 * the retry topic counts once, in {@code succeeded}. Counts are at least once, like delivery: an
 * event handled again after its worker died or lost its partition before committing it is counted
 * again. Counts are by job name over everything on the outcomes topic: a job run again under the
 * same name (a resumed run, a restart) adds to the counts of its earlier runs, so compare them with
 * the sum of the runs' published events. Without such a failure, {@link #finished()} equals the
 * events the job published once the lag is 0. A worker whose report failed when its partitions were
 * revoked or it closed commits anyway (logged at WARN), and those records may be missing here.
 *
 * @param job the job name
 * @param succeeded events whose handler returned {@code SUCCEEDED} (or null)
 * @param skipped events whose handler returned {@code SKIPPED}
 * @param deadLettered events (and poison records carrying the job's header) on the dead-letter topic
 * @param deadLetterFailed events skipped because their dead letter could not be published for a
 *     lasting reason (see {@link WorkerStats#deadLetterFailed()}); above 0 needs a look
 * @param workers worker instances that reported for the job (a restarted worker counts again)
 */
public record JobOutcomes(String job, long succeeded, long skipped, long deadLettered, long deadLetterFailed,
    int workers) {

  /** Events final for the job: succeeded + skipped + dead-lettered + deadLetterFailed. */
  public long finished() {
    return succeeded + skipped + deadLettered + deadLetterFailed;
  }
}
