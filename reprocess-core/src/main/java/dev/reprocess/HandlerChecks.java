package dev.reprocess;

import dev.reprocess.internal.BatchHandler;
import java.util.Set;

/**
 * The builder's rule that a job has exactly one of {@code handler}, {@code batchHandler} and
 * {@code sink}, with messages that name the methods the host called ({@code batchHandler} stores
 * into the same option as {@code handler}). Stateless.
 */
final class HandlerChecks {
  static final String RULE = "a job requires exactly one of handler, batchHandler or sink";

  private HandlerChecks() {}

  /**
   * Checks the rule before anything runs.
   *
   * @param handlerMethods which of {@code handler} and {@code batchHandler} were called with a
   *     handler, in call order
   * @param handler the handler option's value (a {@link BatchHandler} after {@code batchHandler}),
   *     or null
   * @param sink the sink, or null
   * @throws IllegalArgumentException naming the methods used, their values and the rule
   */
  static void checkOne(Set<String> handlerMethods, EventHandler handler, EventSink sink) {
    if (handler != null && handlerMethods.size() > 1) {
      throw new IllegalArgumentException(String.join(" and ", handlerMethods) + " were both called, the last being "
          + called(handler) + ": " + RULE + "; batchHandler takes the place of handler, so call only one of them");
    }
    if (handler == null && sink == null) {
      throw new IllegalArgumentException("handler and sink are both null: " + RULE);
    }
    if (handler != null && sink != null) {
      throw new IllegalArgumentException(called(handler) + " and sink (" + sink.describe() + ") are both set: "
          + RULE);
    }
  }

  /** The builder method that set {@code handler}, with its value, e.g. {@code batchHandler (maxBatchSize 5)}. */
  private static String called(EventHandler handler) {
    return handler instanceof BatchHandler b
        ? "batchHandler (maxBatchSize " + b.maxBatchSize() + ")"
        : "handler (" + handler.getClass().getName() + ")";
  }
}
