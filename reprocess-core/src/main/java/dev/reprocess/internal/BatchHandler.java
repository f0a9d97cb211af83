package dev.reprocess.internal;

import dev.reprocess.BatchEventHandler;
import dev.reprocess.BatchResult;
import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import java.util.List;

/**
 * A {@link BatchEventHandler} as the job holds it: the job's {@code handler}, which the in-process
 * sink calls with batches of up to {@code maxBatchSize} events, and with one event (a batch of one)
 * where a single event is delivered (a retry, an event the rate limit held back).
 */
public record BatchHandler(BatchEventHandler batch, int maxBatchSize) implements EventHandler {

  @Override
  public Outcome handle(ReprocessEvent event) throws Exception {
    BatchResult result = batch.handle(List.of(event));
    Exception failure = result == null ? null : result.failureOf(event);
    if (failure != null) {
      throw failure;
    }
    return result == null ? Outcome.SUCCEEDED : result.outcomeOf(event);
  }

  /** The events of the deliveries, in order. */
  static List<ReprocessEvent> events(List<SliceSink.Delivery> deliveries) {
    ReprocessEvent[] events = new ReprocessEvent[deliveries.size()];
    for (int i = 0; i < events.length; i++) {
      events[i] = deliveries.get(i).event();
    }
    return List.of(events);
  }

  /** Completes every delivery of a batch call: the whole call's failure, or each event's result. */
  static void complete(List<SliceSink.Delivery> deliveries, HandlerPool.Attempt attempt, BatchResult result) {
    for (SliceSink.Delivery d : deliveries) {
      if (attempt.failure() != null) {
        d.completed(null, attempt.failure());
        continue;
      }
      Exception failure = result == null ? null : result.failureOf(d.event());
      d.completed(failure != null ? null : result == null ? Outcome.SUCCEEDED : result.outcomeOf(d.event()), failure);
    }
  }
}
