package dev.reprocess.internal;

/**
 * The job's error budget, checked after each dead letter in one place ({@link #exceeded}); the job
 * fails at the first dead letter that exceeds it (the dead letters written stay, and a page is
 * checkpointed only once every event of it is final). Three limits, each off by default or by a
 * documented value:
 *
 * <ul>
 *   <li>{@code maxErrors}: more dead letters than this in the run ({@link Long#MAX_VALUE}: no
 *       limit; 0 fails at the first one);
 *   <li>{@code maxErrorRatio}: more dead letters than this share of the events processed so far
 *       (final: succeeded, skipped or dead-lettered), the idea of DSBulk's {@code maxErrors} given
 *       as {@code N%}; checked once {@value #MIN_PROCESSED_FOR_RATIO} events were processed, so
 *       the first dead letter of a run does not fail a 5% budget ({@value #NO_RATIO_LIMIT}: no
 *       limit);
 *   <li>{@code stopAfterSameFailures}: this many dead letters in a row for the same reason ({@link
 *       FailureStreak}) before any event of the run succeeded or was skipped: every event seems to
 *       fail the same way (a record the topic rejects, a handler bug), so dead-lettering the whole
 *       selection helps nobody. Once one event succeeded it never fires (0: off).
 * </ul>
 *
 * Pure, immutable and thread-safe: a unit test checks the rules.
 *
 * @param maxErrors dead letters allowed in a run, 0 or more; {@link Long#MAX_VALUE} for no limit
 * @param maxErrorRatio dead letters allowed per processed event, more than 0 and at most 1; 1 for no
 *     limit
 * @param stopAfterSameFailures dead letters in a row for one reason, with no success in the run,
 *     that stop the job; 0 for off
 */
public record ErrorBudget(long maxErrors, double maxErrorRatio, long stopAfterSameFailures) {

  /** Events processed before {@code maxErrorRatio} is checked: {@value}. */
  public static final long MIN_PROCESSED_FOR_RATIO = 100;

  /** The {@code maxErrorRatio} that is no limit: {@value}. */
  public static final double NO_RATIO_LIMIT = 1.0;

  /**
   * Why the run must stop, or null while it is within its budget.
   *
   * @param deadLettered events dead-lettered in this run so far, the last one included
   * @param passed events of this run that succeeded or were skipped so far
   * @param streak the run's dead letters in a row for one reason, the last one included
   * @return null within budget; otherwise the reason, naming the option, its value and the counts
   */
  public String exceeded(long deadLettered, long passed, FailureStreak streak) {
    if (deadLettered > maxErrors) {
      return deadLettered + " events were dead-lettered, more than maxErrors (" + maxErrors + ")";
    }
    long processed = deadLettered + passed;
    if (maxErrorRatio < NO_RATIO_LIMIT && processed >= MIN_PROCESSED_FOR_RATIO
        && deadLettered > maxErrorRatio * processed) {
      return deadLettered + " of the " + processed + " events processed so far were dead-lettered, more than "
          + "maxErrorRatio (" + maxErrorRatio + ", " + percent(maxErrorRatio) + ")";
    }
    if (stopAfterSameFailures > 0 && passed == 0 && streak.length() >= stopAfterSameFailures) {
      return streak.length() + " events in a row were dead-lettered for the same reason, " + streak.describe()
          + ", and no event of the run succeeded: every event seems to fail this way, so the job stops "
          + "(stopAfterSameFailures is " + stopAfterSameFailures + "). Fix the cause and run the job again: it "
          + "resumes from its checkpoints, and the dead letters written stay; or set stopAfterSameFailures to 0 "
          + "to dead-letter every failing event";
    }
    return null;
  }

  /** A ratio as a percentage for messages: {@code 0.05} is {@code 5%}. */
  static String percent(double ratio) {
    return java.math.BigDecimal.valueOf(ratio).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }
}
