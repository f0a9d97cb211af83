package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorBudgetTest {

  private static final ErrorBudget NO_LIMITS = new ErrorBudget(Long.MAX_VALUE, 1.0, 0);

  private static FailureStreak streakOf(int length, Throwable failure) {
    FailureStreak streak = FailureStreak.NONE;
    for (int i = 0; i < length; i++) {
      streak = streak.after(failure);
    }
    return streak;
  }

  @Test
  void failsOnlyOnceMoreThanMaxErrorsWereDeadLettered() {
    ErrorBudget five = new ErrorBudget(5, 1.0, 0);
    assertThat(five.exceeded(5, 0, FailureStreak.NONE)).isNull();
    assertThat(five.exceeded(6, 1000, FailureStreak.NONE)).contains("6 events were dead-lettered", "maxErrors (5)");
    ErrorBudget zero = new ErrorBudget(0, 1.0, 0);
    assertThat(zero.exceeded(1, 0, FailureStreak.NONE)).contains("maxErrors (0)");
    assertThat(zero.exceeded(0, 10, FailureStreak.NONE)).isNull();
  }

  @Test
  void noLimitsNeverFail() {
    assertThat(NO_LIMITS.exceeded(Long.MAX_VALUE, 0, streakOf(1000, new IllegalStateException()))).isNull();
  }

  @Test
  void theRatioIsOfTheEventsProcessedSoFarAndCheckedFromAHundredOn() {
    ErrorBudget fivePercent = new ErrorBudget(Long.MAX_VALUE, 0.05, 0);
    // 99 processed, all dead-lettered: too few to judge a share.
    assertThat(fivePercent.exceeded(99, 0, FailureStreak.NONE)).isNull();
    assertThat(fivePercent.exceeded(5, 95, FailureStreak.NONE)).isNull();
    assertThat(fivePercent.exceeded(6, 94, FailureStreak.NONE))
        .isEqualTo("6 of the 100 events processed so far were dead-lettered, more than maxErrorRatio (0.05, 5%)");
    assertThat(fivePercent.exceeded(50, 950, FailureStreak.NONE)).isNull();
    assertThat(fivePercent.exceeded(51, 950, FailureStreak.NONE)).contains("51 of the 1001");
  }

  @Test
  void percentagesAreShownAsWritten() {
    assertThat(ErrorBudget.percent(0.05)).isEqualTo("5%");
    assertThat(ErrorBudget.percent(0.07)).isEqualTo("7%");
    assertThat(ErrorBudget.percent(0.005)).isEqualTo("0.5%");
  }

  @Test
  void sameFailuresStopTheJobOnlyBeforeTheFirstSuccess() {
    ErrorBudget budget = new ErrorBudget(Long.MAX_VALUE, 1.0, 3);
    IllegalStateException bug = new IllegalStateException("column 'size' is null");
    assertThat(budget.exceeded(2, 0, streakOf(2, bug))).isNull();
    assertThat(budget.exceeded(3, 0, streakOf(3, bug))).isEqualTo("3 events in a row were dead-lettered for the "
        + "same reason, java.lang.IllegalStateException: \"column 'size' is null\", and no event of the run "
        + "succeeded: every event seems to fail this way, so the job stops (stopAfterSameFailures is 3). Fix the "
        + "cause and run the job again: it resumes from its checkpoints, and the dead letters written stay; or set "
        + "stopAfterSameFailures to 0 to dead-letter every failing event");
    assertThat(budget.exceeded(3, 1, streakOf(3, bug))).as("after a success").isNull();
    assertThat(budget.exceeded(500, 1, streakOf(500, bug))).as("after a success, ever").isNull();
    assertThat(new ErrorBudget(Long.MAX_VALUE, 1.0, 0).exceeded(500, 0, streakOf(500, bug))).as("off").isNull();
  }

  @Test
  void theCountIsTheFirstLimitChecked() {
    ErrorBudget all = new ErrorBudget(2, 0.01, 3);
    assertThat(all.exceeded(3, 0, streakOf(3, new IOException()))).contains("maxErrors (2)");
  }

  @Test
  void aStreakCountsDeadLettersInARowOfOneRootCause() {
    FailureStreak streak = FailureStreak.NONE
        .after(new RuntimeException("wrapper", new IOException("disk full")))
        .after(new IOException("disk full again"));
    assertThat(streak.reason()).isEqualTo("java.io.IOException");
    assertThat(streak.length()).isEqualTo(2);
    assertThat(streak.describe()).isEqualTo("java.io.IOException: \"disk full again\"");
    FailureStreak other = streak.after(new IllegalStateException());
    assertThat(other.length()).isEqualTo(1);
    assertThat(other.describe()).isEqualTo("java.lang.IllegalStateException");
    assertThat(other.after(new IOException()).length()).as("another reason starts over").isEqualTo(1);
  }

  @Test
  void aStreakQuotesAtMostAFewHundredCharactersAndSurvivesCycles() {
    RuntimeException a = new RuntimeException("x".repeat(5_000));
    FailureStreak streak = FailureStreak.NONE.after(a);
    assertThat(streak.message()).hasSizeLessThan(300).endsWith("(5000 characters in all)");
    RuntimeException first = new RuntimeException("first");
    RuntimeException second = new RuntimeException("second", first);
    first.initCause(second);
    assertThat(FailureStreak.NONE.after(second).reason()).isEqualTo("java.lang.RuntimeException");
  }
}
