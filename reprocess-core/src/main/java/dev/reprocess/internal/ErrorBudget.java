package dev.reprocess.internal;

/**
 * The job's error budget ({@code maxErrors}): the job fails once more events than the budget were
 * dead-lettered. A negative budget is no limit; 0 fails at the first dead letter. Pure, so a unit
 * test checks the rule.
 */
public final class ErrorBudget {

  private ErrorBudget() {}

  /**
   * The failure message when {@code deadLettered} exceeds {@code maxErrors}, or null while within
   * the budget (or when {@code maxErrors} is negative: no limit).
   */
  public static String exceeded(long maxErrors, long deadLettered) {
    if (maxErrors < 0 || deadLettered <= maxErrors) {
      return null;
    }
    return deadLettered + " events were dead-lettered, more than maxErrors (" + maxErrors + ")";
  }
}
