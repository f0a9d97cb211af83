package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorBudgetTest {

  @Test
  void failsOnlyOnceMoreThanMaxErrorsWereDeadLettered() {
    assertThat(ErrorBudget.exceeded(5, 5)).isNull();
    assertThat(ErrorBudget.exceeded(5, 6)).contains("6 events were dead-lettered", "maxErrors (5)");
    assertThat(ErrorBudget.exceeded(0, 1)).contains("maxErrors (0)");
    assertThat(ErrorBudget.exceeded(0, 0)).isNull();
  }

  @Test
  void aNegativeBudgetIsNoLimit() {
    assertThat(ErrorBudget.exceeded(-1, Long.MAX_VALUE)).isNull();
  }
}
