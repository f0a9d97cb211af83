package dev.reprocess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;

/**
 * How a failed attempt of an event is retried before the event is dead-lettered: how many
 * attempts, how long to wait between them (exponential backoff with jitter), and which failures are
 * worth retrying.
 *
 * <p>Immutable and thread-safe. Built with {@link #ofDefaults()}, {@link #noRetry()} or {@link
 * #custom()}, whose mutable {@link Builder} checks every value in {@link Builder#build()}. The
 * shape ({@code ofDefaults()}, {@code custom()}, public {@code DEFAULT_*} constants, {@code
 * retryOn}/{@code ignore}/{@code retryIf}) and the backoff formula come from resilience4j's {@code
 * RetryConfig} and {@code IntervalFunction.ofExponentialRandomBackoff}; the Kafka worker uses the
 * same options so both delivery paths retry alike.
 *
 * <p>Which failures retry: a failure is retriable when it is an {@link Exception} (never an {@link
 * Error}), is not an instance of any {@code ignore} class, and then either matches the {@code
 * retryIf} predicate when one is set, or is an instance of a {@code retryOn} class. The default
 * {@code retryOn} is {@link Exception} and the default {@code ignore} is {@link
 * IllegalArgumentException} (bad input does not get better by trying again), so a {@link
 * RetriableException} and every other exception retry by default.
 *
 * <p>Backoff after attempt {@code n} (1-based) failed: {@code base = min(initialBackoff *
 * multiplier^(n-1), maxBackoff)}, then a uniformly random value in {@code [base * (1 - jitter),
 * base * (1 + jitter)]}, capped at {@code maxBackoff}.
 */
public final class RetryOptions {

  /** Default attempts per event, the first one included: {@value}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default wait after the first failed attempt: 100 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  /** Default growth of the wait per failed attempt: {@value}. */
  public static final double DEFAULT_MULTIPLIER = 2.0;
  /** Default cap on the wait between attempts: 10 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
  /** Default randomization factor: {@value} (a wait of 100 ms becomes 50..150 ms). */
  public static final double DEFAULT_JITTER = 0.5;
  /** Largest accepted {@code maxAttempts}: {@value}. */
  public static final int MAX_ATTEMPTS_LIMIT = 100;

  private static final RetryOptions DEFAULTS = custom().build();
  private static final RetryOptions NO_RETRY = custom().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;
  private final List<Class<? extends Throwable>> retryOn;
  private final List<Class<? extends Throwable>> ignore;
  private final Predicate<Throwable> retryIf;

  private RetryOptions(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.multiplier = b.multiplier;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.retryOn = List.copyOf(b.retryOn);
    this.ignore = List.copyOf(b.ignore);
    this.retryIf = b.retryIf;
  }

  /**
   * {@value #DEFAULT_MAX_ATTEMPTS} attempts, 100 ms initial backoff, multiplier 2.0, 10 s maximum
   * backoff, jitter 0.5; retries every exception except {@link IllegalArgumentException}.
   */
  public static RetryOptions ofDefaults() {
    return DEFAULTS;
  }

  /** One attempt per event: a failure goes straight to the dead-letter sink. */
  public static RetryOptions noRetry() {
    return NO_RETRY;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialBackoff = initialBackoff;
    b.multiplier = multiplier;
    b.maxBackoff = maxBackoff;
    b.jitter = jitter;
    b.retryOn = new ArrayList<>(retryOn);
    b.ignore = new ArrayList<>(ignore);
    b.retryIf = retryIf;
    return b;
  }

  /** Attempts per event, the first one included; at least 1. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Wait after the first failed attempt, before jitter. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Growth factor of the wait per failed attempt; at least 1.0. */
  public double multiplier() {
    return multiplier;
  }

  /** Upper bound of any wait. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Randomization factor in {@code [0, 1)}. */
  public double jitter() {
    return jitter;
  }

  /**
   * Whether a failure deserves another attempt (see the class comment for the rule). Does not look
   * at the attempt count: callers compare the attempt with {@link #maxAttempts()}.
   *
   * <p>Never throws: a {@code retryIf} predicate that throws an exception counts as false (the
   * failure is not retried), so a predicate reading, say, {@code getMessage()} of a failure whose
   * message is null or broken sends the event to the dead-letter sink instead of failing the job.
   *
   * @param failure the failure; a {@link java.util.concurrent.CompletionException} or {@link
   *     java.util.concurrent.ExecutionException} should be unwrapped by the caller
   */
  public boolean isRetriable(Throwable failure) {
    if (!(failure instanceof Exception)) {
      return false;
    }
    for (Class<? extends Throwable> c : ignore) {
      if (c.isInstance(failure)) {
        return false;
      }
    }
    if (retryIf != null) {
      try {
        return retryIf.test(failure);
      } catch (Exception predicateFailed) {
        return false;
      }
    }
    for (Class<? extends Throwable> c : retryOn) {
      if (c.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The wait before the next attempt, after attempt {@code attemptJustFailed} failed.
   *
   * @param attemptJustFailed the 1-based number of the attempt that failed
   * @param random the source of jitter; pass a seeded one for reproducible waits
   * @return a non-negative duration, at most {@link #maxBackoff()}
   * @throws IllegalArgumentException if {@code attemptJustFailed} is less than 1
   */
  public Duration backoff(int attemptJustFailed, Random random) {
    if (attemptJustFailed < 1) {
      throw new IllegalArgumentException(
          "attemptJustFailed is " + attemptJustFailed + ": it must be at least 1");
    }
    Objects.requireNonNull(random, "random");
    double maxNanos = maxBackoff.toNanos();
    double base = initialBackoff.toNanos() * Math.pow(multiplier, attemptJustFailed - 1);
    base = Math.min(base, maxNanos);
    double jittered = jitter == 0 ? base : base * (1 - jitter + 2 * jitter * random.nextDouble());
    long nanos = (long) Math.max(0, Math.min(jittered, maxNanos));
    return Duration.ofNanos(nanos);
  }

  @Override
  public String toString() {
    return "RetryOptions[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
        + ", multiplier=" + multiplier + ", maxBackoff=" + maxBackoff + ", jitter=" + jitter
        + ", retryOn=" + names(retryOn) + ", ignore=" + names(ignore)
        + (retryIf != null ? ", retryIf=<predicate>" : "") + "]";
  }

  private static List<String> names(List<Class<? extends Throwable>> classes) {
    List<String> names = new ArrayList<>();
    for (Class<? extends Throwable> c : classes) {
      names.add(c.getSimpleName());
    }
    return names;
  }

  /**
   * Mutable builder of {@link RetryOptions}; not thread-safe. Setters store values;
   * {@link #build()} checks them all.
   */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double jitter = DEFAULT_JITTER;
    private List<Class<? extends Throwable>> retryOn = new ArrayList<>(List.of(Exception.class));
    private List<Class<? extends Throwable>> ignore =
        new ArrayList<>(List.of(IllegalArgumentException.class));
    private Predicate<Throwable> retryIf;
    private boolean retryOnSet;
    private boolean ignoreSet;
    private boolean retryOnNullArray;
    private boolean ignoreNullArray;

    private Builder() {}

    /** Attempts per event, the first included: 1 to {@value #MAX_ATTEMPTS_LIMIT}; default 3. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Wait after the first failed attempt: zero or positive; default 100 ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** Growth per failed attempt: finite, at least 1.0; default 2.0. */
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    /** Cap on any wait: at least {@code initialBackoff}, at most 1 day; default 10 s. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Randomization factor in {@code [0, 1)}; 0 disables jitter; default 0.5. */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * The failures to retry (instances of these classes or their subclasses); the first call
     * replaces the default {@code Exception}, later calls add to it. Ignored when {@link #retryIf}
     * is set. {@link #build()} refuses: no class at all (it would retry nothing: use {@code
     * maxAttempts(1)} or {@link RetryOptions#noRetry()} for that), a null class, and {@link Error}
     * or any subclass (an Error is never retried: the job fails on it, see {@link ReprocessJob}).
     */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... classes) {
      if (!retryOnSet) {
        retryOn = new ArrayList<>();
        retryOnSet = true;
      }
      if (classes == null) {
        retryOnNullArray = true;
      } else {
        retryOn.addAll(java.util.Arrays.asList(classes));
      }
      return this;
    }

    /**
     * Failures never to retry, checked before anything else; the first call replaces the default
     * {@code IllegalArgumentException}, later calls add to it. {@code ignore()} with no class
     * ignores nothing, so that {@code IllegalArgumentException} retries too. {@link #build()}
     * refuses a null class.
     */
    @SafeVarargs
    public final Builder ignore(Class<? extends Throwable>... classes) {
      if (!ignoreSet) {
        ignore = new ArrayList<>();
        ignoreSet = true;
      }
      if (classes == null) {
        ignoreNullArray = true;
      } else {
        ignore.addAll(java.util.Arrays.asList(classes));
      }
      return this;
    }

    /**
     * A predicate deciding which (non-ignored) exceptions retry, instead of {@code retryOn}; null
     * (the default) removes it. A predicate that throws counts as false.
     */
    public Builder retryIf(Predicate<Throwable> predicate) {
      this.retryIf = predicate;
      return this;
    }

    /**
     * Checks every value and builds the options.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public RetryOptions build() {
      if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
        throw new IllegalArgumentException("maxAttempts is " + maxAttempts
            + ": it must be between 1 and " + MAX_ATTEMPTS_LIMIT);
      }
      if (initialBackoff == null || initialBackoff.isNegative()) {
        throw new IllegalArgumentException(
            "initialBackoff is " + initialBackoff + ": it must be zero or positive");
      }
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier is " + multiplier + ": it must be a finite number of at least 1.0");
      }
      if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0
          || maxBackoff.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("maxBackoff is " + maxBackoff
            + ": it must be at least initialBackoff (" + initialBackoff + ") and at most 1 day");
      }
      if (!(jitter >= 0.0 && jitter < 1.0)) {
        throw new IllegalArgumentException("jitter is " + jitter + ": it must be in [0, 1)");
      }
      if (retryOnNullArray) {
        throw new IllegalArgumentException("retryOn is null: pass the exception classes to retry");
      }
      if (retryOn.contains(null)) {
        throw new IllegalArgumentException("retryOn contains null: every class must be non-null");
      }
      if (retryOn.isEmpty()) {
        throw new IllegalArgumentException("retryOn is empty (called with no class): it would retry "
            + "nothing; pass at least one exception class, or use maxAttempts(1) or "
            + "RetryOptions.noRetry() for no retries");
      }
      for (Class<? extends Throwable> c : retryOn) {
        if (Error.class.isAssignableFrom(c)) {
          throw new IllegalArgumentException("retryOn contains " + c.getName() + ": an Error (or "
              + "subclass) is never retried, the job fails on it; retryOn takes exception classes");
        }
      }
      if (ignoreNullArray) {
        throw new IllegalArgumentException("ignore is null: pass the exception classes never to "
            + "retry, or ignore() with no class to ignore nothing");
      }
      if (ignore.contains(null)) {
        throw new IllegalArgumentException("ignore contains null: every class must be non-null");
      }
      return new RetryOptions(this);
    }
  }
}
