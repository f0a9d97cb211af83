package dev.reprocess;

/**
 * What a run does when another owner holds its job's lease (see {@link JobLease}): the job's
 * {@code onRunningElsewhere} option.
 */
public enum RunningElsewhere {
  /**
   * Fails at once, before reading or writing anything, with a {@link LeaseHeldException} naming
   * the holder, its fencing token and its last renewal; also when the holder's lease has expired
   * (it crashed, froze or lost the store), so that an operator decides.
   */
  FAIL,
  /**
   * Takes the lease over if the holder's has expired (it stopped renewing for a whole time to
   * live), with a higher fencing token, so that any later checkpoint write of the old holder is
   * refused; fails as {@link #FAIL} while the holder's lease is live. The default: a job whose
   * process crashed resumes when it is run again once its lease expired, and a job running
   * elsewhere is refused.
   */
  TAKE_OVER_EXPIRED,
  /**
   * Waits until the holder releases its lease or lets it expire, checking every third of the time
   * to live, then takes it. Waits at most the job's {@code outageBudget} (default 5 minutes), then
   * fails as {@link #FAIL}, with a {@link LeaseHeldException} that says how long it waited.
   * Cancelling the execution ends the wait at once: the job reports {@link JobStatus#CANCELLED}
   * having read and written nothing.
   */
  WAIT
}
