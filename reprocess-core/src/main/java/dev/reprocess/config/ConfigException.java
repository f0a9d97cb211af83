package dev.reprocess.config;

/**
 * A job configuration (a properties map) that cannot become a job. The message names the full
 * property key, the value given and the rule, e.g. {@code reprocess.jobs.nightly.page-size is '0':
 * pageSize is 0: it must be between 1 and 100000}; when the rule comes from a builder ({@link
 * dev.reprocess.ReprocessJob.Builder#build()}, a selector's builder), its message follows the key
 * verbatim, so code and properties report a bad value alike.
 *
 * <p>An {@link IllegalArgumentException}, like the builders' errors.
 */
public class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  /**
   * @param key the full property key at fault (with its prefix)
   * @param message the whole message, naming the key, the value and the rule
   */
  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /**
   * @param key the full property key at fault (with its prefix)
   * @param message the whole message, naming the key, the value and the rule
   * @param cause the builder's error the message repeats
   */
  public ConfigException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The full property key at fault, e.g. {@code reprocess.jobs.nightly.page-size}. */
  public String key() {
    return key;
  }
}
