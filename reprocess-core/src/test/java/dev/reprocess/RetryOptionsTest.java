package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryOptionsTest {

  @Test
  void defaultsAreThreeAttemptsExponentialFrom100MsCappedAt10S() {
    RetryOptions d = RetryOptions.ofDefaults();
    assertThat(d.maxAttempts()).isEqualTo(3);
    assertThat(d.initialBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(d.multiplier()).isEqualTo(2.0);
    assertThat(d.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.jitter()).isEqualTo(0.5);
    assertThat(RetryOptions.noRetry().maxAttempts()).isEqualTo(1);
  }

  @Test
  void backoffGrowsExponentiallyAndIsCappedWithoutJitter() {
    RetryOptions r = RetryOptions.custom().initialBackoff(Duration.ofMillis(100)).multiplier(3)
        .maxBackoff(Duration.ofSeconds(2)).jitter(0).build();
    Random rnd = new Random(1);
    assertThat(r.backoff(1, rnd)).isEqualTo(Duration.ofMillis(100));
    assertThat(r.backoff(2, rnd)).isEqualTo(Duration.ofMillis(300));
    assertThat(r.backoff(3, rnd)).isEqualTo(Duration.ofMillis(900));
    assertThat(r.backoff(4, rnd)).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.backoff(60, rnd)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void jitterSpreadsWaitsWithinTheFactorAndIsReproducibleWithASeed() {
    RetryOptions r = RetryOptions.custom().initialBackoff(Duration.ofSeconds(1)).jitter(0.5)
        .maxBackoff(Duration.ofSeconds(10)).build();
    Random rnd = new Random(42);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long ms = r.backoff(1, rnd).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isBetween(500L, 560L);
    assertThat(max).isBetween(1440L, 1500L);
    assertThat(r.backoff(2, new Random(7))).isEqualTo(r.backoff(2, new Random(7)));
  }

  @Test
  void jitterNeverExceedsMaxBackoff() {
    RetryOptions r = RetryOptions.custom().initialBackoff(Duration.ofSeconds(1))
        .maxBackoff(Duration.ofSeconds(1)).jitter(0.9).build();
    Random rnd = new Random(3);
    for (int i = 0; i < 1000; i++) {
      assertThat(r.backoff(5, rnd)).isLessThanOrEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void defaultRetriesExceptionsButNotIllegalArgumentOrErrors() {
    RetryOptions d = RetryOptions.ofDefaults();
    assertThat(d.isRetriable(new RetriableException("timeout"))).isTrue();
    assertThat(d.isRetriable(new IOException("reset"))).isTrue();
    assertThat(d.isRetriable(new IllegalStateException("x"))).isTrue();
    assertThat(d.isRetriable(new IllegalArgumentException("bad input"))).isFalse();
    assertThat(d.isRetriable(new NumberFormatException("subclass of IAE"))).isFalse();
    assertThat(d.isRetriable(new AssertionError("error"))).isFalse();
  }

  @Test
  void retryOnIgnoreAndPredicateSelectWhatRetries() {
    RetryOptions onlyTransient = RetryOptions.custom().retryOn(RetriableException.class, TimeoutException.class).build();
    assertThat(onlyTransient.isRetriable(new RetriableException("t"))).isTrue();
    assertThat(onlyTransient.isRetriable(new TimeoutException("t"))).isTrue();
    assertThat(onlyTransient.isRetriable(new IOException("io"))).isFalse();

    RetryOptions ignoring = RetryOptions.custom().ignore(IOException.class).build();
    assertThat(ignoring.isRetriable(new IOException("io"))).isFalse();
    assertThat(ignoring.isRetriable(new IllegalArgumentException("now retried"))).isTrue();

    RetryOptions predicate = RetryOptions.custom().retryIf(t -> t.getMessage().contains("again")).build();
    assertThat(predicate.isRetriable(new IllegalStateException("try again"))).isTrue();
    assertThat(predicate.isRetriable(new IllegalStateException("never"))).isFalse();
    assertThat(predicate.isRetriable(new IllegalArgumentException("again, but ignored"))).isFalse();
  }

  /** One case per bad option: what to change, and the pieces the message must contain. */
  static Stream<Arguments> badOptions() {
    return Stream.of(
        bad("retryOn Error", b -> b.retryOn(Error.class), "retryOn contains java.lang.Error",
            "never retried", "the job fails on it"),
        bad("retryOn an Error subclass", b -> b.retryOn(IOException.class, OutOfMemoryError.class),
            "retryOn contains java.lang.OutOfMemoryError", "never retried"),
        bad("retryOn with no class", b -> b.retryOn(), "retryOn is empty", "retry nothing",
            "noRetry()"),
        bad("retryOn null array", b -> b.retryOn((Class<? extends Throwable>[]) null), "retryOn is null",
            "exception classes"),
        bad("retryOn null class", b -> b.retryOn((Class<? extends Throwable>) null), "retryOn contains null",
            "non-null"),
        bad("ignore null array", b -> b.ignore((Class<? extends Throwable>[]) null), "ignore is null",
            "ignore() with no class"),
        bad("ignore null class", b -> b.ignore((Class<? extends Throwable>) null), "ignore contains null",
            "non-null"),
        bad("initialBackoff null", b -> b.initialBackoff(null), "initialBackoff is null", "zero or positive"),
        bad("maxBackoff null", b -> b.maxBackoff(null), "maxBackoff is null", "at most 1 day"));
  }

  private static Arguments bad(String option, UnaryOperator<RetryOptions.Builder> change, String... parts) {
    return Arguments.of(option, change, parts);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void buildRejectsBadOptionNamingOptionValueAndRule(
      String option, UnaryOperator<RetryOptions.Builder> change, String[] parts) {
    assertThatThrownBy(() -> change.apply(RetryOptions.custom()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(parts);
  }

  @Test
  void ignoreWithNoClassIgnoresNothingAndThrowableIsAcceptedButStillNeverRetriesErrors() {
    RetryOptions ignoringNothing = RetryOptions.custom().ignore().build();
    assertThat(ignoringNothing.isRetriable(new IllegalArgumentException("retried now"))).isTrue();
    RetryOptions everything = RetryOptions.custom().retryOn(Throwable.class).build();
    assertThat(everything.isRetriable(new IOException("io"))).isTrue();
    assertThat(everything.isRetriable(new AssertionError("error"))).isFalse();
  }

  @Test
  void aRetryIfPredicateThatThrowsMeansNotRetriable() {
    RetryOptions predicate = RetryOptions.custom().retryIf(t -> t.getMessage().contains("again")).build();
    assertThat(predicate.isRetriable(new IllegalStateException((String) null))).isFalse();
    assertThat(predicate.isRetriable(new IllegalStateException("again"))).isTrue();
  }

  @Test
  void toBuilderKeepsEveryValue() {
    RetryOptions r = RetryOptions.custom().maxAttempts(7).initialBackoff(Duration.ofMillis(5))
        .multiplier(1.5).maxBackoff(Duration.ofMinutes(1)).jitter(0.1).build();
    RetryOptions copy = r.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(r.toString());
  }
}
