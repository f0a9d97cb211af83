package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.RetriableException;
import dev.reprocess.RetryOptions;
import dev.reprocess.internal.RetryVerdict.Action;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RetryVerdictTest {

  private final RetryOptions retry = RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(100))
      .multiplier(2).jitter(0).build();

  @Test
  void retriesARetriableFailureWhileAttemptsRemain() {
    RetryVerdict v = RetryVerdict.decide(retry, 2, new RetriableException("flaky"), new Random(1));
    assertThat(v.action()).isEqualTo(Action.RETRY);
    assertThat(v.backoff()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void deadLettersOnceAttemptsAreUsedUp() {
    assertThat(RetryVerdict.decide(retry, 3, new RetriableException("flaky"), new Random(1)).action())
        .isEqualTo(Action.DEAD_LETTER);
  }

  @Test
  void deadLettersAFailureThatIsNotRetriable() {
    RetryVerdict v = RetryVerdict.decide(retry, 1, new IllegalArgumentException("bad"), new Random(1));
    assertThat(v.action()).isEqualTo(Action.DEAD_LETTER);
    assertThat(v.backoff()).isEqualTo(Duration.ZERO);
  }

  @Test
  void stopsOnAnError() {
    assertThat(RetryVerdict.decide(retry, 1, new OutOfMemoryError("x"), new Random(1)).action())
        .isEqualTo(Action.STOP);
  }

  @Test
  void judgesTheCauseOfAWrappedFailure() {
    RetriableException cause = new RetriableException("flaky");
    RetryVerdict v = RetryVerdict.decide(retry, 1, new CompletionException(cause), new Random(1));
    assertThat(v.action()).isEqualTo(Action.RETRY);
    assertThat(v.failure()).isSameAs(cause);
  }
}
