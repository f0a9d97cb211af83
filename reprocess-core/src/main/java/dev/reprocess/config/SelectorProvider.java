package dev.reprocess.config;

import dev.reprocess.AssetSelector;
import java.util.Set;

/**
 * Builds the selectors of some kinds from properties: the service a backend module registers (in
 * {@code META-INF/services/dev.reprocess.config.SelectorProvider}) so that {@link JobConfiguration}
 * finds it with {@link java.util.ServiceLoader}. The Cassandra module provides {@code
 * cassandra-time-bucket}, {@code cassandra-token-range} and {@code id-list}; the Elasticsearch module
 * provides {@code elasticsearch}.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface SelectorProvider {

  /** The selector kinds this provider builds, the values of a job's {@code selector.kind}. */
  Set<String> kinds();

  /**
   * Builds a selector of one of {@link #kinds()}.
   *
   * @param kind one of {@link #kinds()}
   * @param options the job's {@code selector.*} properties (without {@code kind}); read each
   *     option through it so that errors name the full key, and unknown keys are refused after
   * @param context the objects the selector needs, such as the application's session
   * @return a selector, not yet opened
   * @throws ConfigException naming the key, the value and the rule; a builder's {@link
   *     IllegalArgumentException} may be left to propagate, {@link JobConfiguration} then names
   *     the key of the option it mentions
   */
  AssetSelector create(String kind, ConfigValues options, ConfigContext context);
}
