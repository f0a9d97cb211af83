package dev.reprocess.internal;

/**
 * Values quoted in messages and logs, kept short: a 5 MB bad input line becomes an excerpt of a
 * few hundred characters that says how long the whole was, so an error is readable and a log line
 * stays a line. Stateless and thread-safe.
 */
public final class Quote {

  /** The longest excerpt of a value a message quotes, in characters: {@value}. */
  public static final int DEFAULT_MAX_CHARS = 200;

  private Quote() {}

  /** {@link #abbreviate(String, int)} with {@link #DEFAULT_MAX_CHARS}. */
  public static String abbreviate(String value) {
    return abbreviate(value, DEFAULT_MAX_CHARS);
  }

  /**
   * The value itself when it has at most {@code maxChars} characters; otherwise its first {@code
   * maxChars} characters followed by {@code "... (N characters in all)"}. A surrogate pair is never
   * cut in two. {@code "null"} for null.
   *
   * @param maxChars at least 1
   * @throws IllegalArgumentException if {@code maxChars} is below 1
   */
  public static String abbreviate(String value, int maxChars) {
    String excerpt = excerpt(value, maxChars);
    return value == null || value.length() <= maxChars ? excerpt
        : excerpt + " (" + value.length() + " characters in all)";
  }

  /**
   * The value itself when it has at most {@code maxChars} characters; otherwise its first {@code
   * maxChars} characters followed by {@code "..."}, for a value known only in part. A surrogate
   * pair is never cut in two. {@code "null"} for null.
   *
   * @param maxChars at least 1
   * @throws IllegalArgumentException if {@code maxChars} is below 1
   */
  public static String excerpt(String value, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars is " + maxChars + ": it must be at least 1");
    }
    if (value == null) {
      return "null";
    }
    if (value.length() <= maxChars) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return value.substring(0, end) + "...";
  }
}
