package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Statement;

/**
 * The options every statement of a selector, loader or checkpoint store carries, checked once
 * here for all of them. Immutable.
 *
 * @param consistencyLevel {@code null} for the session's default
 * @param executionProfile {@code null} for the session's default
 */
public record StatementOptions(ConsistencyLevel consistencyLevel, String executionProfile) {

  /**
   * Checked options.
   *
   * @param levelRequired whether a {@code null} consistency level is refused (a builder whose
   *     default is not the session's)
   * @throws IllegalArgumentException naming the option, the value and the rule
   */
  public static StatementOptions check(ConsistencyLevel consistencyLevel, String executionProfile, boolean levelRequired) {
    if (levelRequired && consistencyLevel == null) {
      throw new IllegalArgumentException("consistencyLevel is null: it must be a consistency level, e.g. LOCAL_QUORUM");
    }
    if (executionProfile != null && executionProfile.isBlank()) {
      throw new IllegalArgumentException("executionProfile is '" + executionProfile + "': it must be a profile name");
    }
    return new StatementOptions(consistencyLevel, executionProfile);
  }

  /** The statement, idempotent (every statement of this module may be retried) and with these options. */
  public <S extends Statement<S>> S apply(S statement) {
    S s = statement.setIdempotent(true);
    if (consistencyLevel != null) {
      s = s.setConsistencyLevel(consistencyLevel);
    }
    if (executionProfile != null) {
      s = s.setExecutionProfileName(executionProfile);
    }
    return s;
  }
}
