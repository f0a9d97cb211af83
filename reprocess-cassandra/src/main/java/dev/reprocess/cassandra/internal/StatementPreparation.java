package dev.reprocess.cassandra.internal;

import java.util.function.Supplier;

/** Prepares an object's statements, with one translation of the driver's failures for all of them. */
public final class StatementPreparation {
  private StatementPreparation() {}

  /**
   * The statements {@code prepare} returns.
   *
   * @param owner what prepares them, for the message, e.g. {@code checkpoint store ks.t}
   * @throws dev.reprocess.RetriableException if preparing failed transiently
   * @throws dev.reprocess.ReprocessException if it failed otherwise
   */
  public static <T> T prepare(String owner, Supplier<T> prepare) {
    try {
      return prepare.get();
    } catch (RuntimeException e) {
      throw DriverErrors.translate(owner + ": preparing the statements failed", e);
    }
  }
}
