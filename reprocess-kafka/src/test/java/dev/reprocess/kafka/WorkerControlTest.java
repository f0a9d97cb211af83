package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.LimitAlgorithm;
import dev.reprocess.Outcome;
import dev.reprocess.PressureSignal;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The checks of the worker's live controls and of their builder options (no I/O: nothing is started). */
class WorkerControlTest {

  private static KafkaReprocessWorker build(UnaryOperator<KafkaReprocessWorker.Builder> options) {
    return options.apply(KafkaReprocessWorker.builder().bootstrapServers("localhost:1").topic("events")
        .groupId("g").handler(e -> Outcome.SUCCEEDED).concurrency(4)).build();
  }

  private static void refused(UnaryOperator<KafkaReprocessWorker.Builder> options, String message) {
    assertThatThrownBy(() -> build(options)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void maxEventsPerSecondHasTheJobsRangeAndMessage() {
    String rule = ": it must be 0 (no limit) or between 0.001 and 1.0E9";
    refused(b -> b.maxEventsPerSecond(-1), "maxEventsPerSecond is -1.0" + rule);
    refused(b -> b.maxEventsPerSecond(Double.NaN), "maxEventsPerSecond is NaN" + rule);
    refused(b -> b.maxEventsPerSecond(0.0001), "maxEventsPerSecond is 1.0E-4" + rule);
    refused(b -> b.maxEventsPerSecond(2e9), "maxEventsPerSecond is 2.0E9" + rule);
    assertThat(build(b -> b).maxEventsPerSecond()).isZero();
    assertThat(build(b -> b.maxEventsPerSecond(0.001)).maxEventsPerSecond()).isEqualTo(0.001);
    assertThat(build(b -> b.maxEventsPerSecond(250)).maxEventsPerSecond()).isEqualTo(250);
  }

  @Test
  void adaptiveOptionsAreRefusedWithoutAdaptiveConcurrency() {
    String tail = " applies only to an adaptive limit; call adaptiveConcurrency(true) or remove it";
    refused(b -> b.limitAlgorithm(LimitAlgorithm.AIMD),
        "limitAlgorithm is set (AIMD) but adaptiveConcurrency is false: limitAlgorithm" + tail);
    refused(b -> b.minConcurrency(2), "minConcurrency is set (2) but adaptiveConcurrency is false: minConcurrency" + tail);
    refused(b -> b.adaptiveConcurrency(false).pressureSignal(PressureSignal.handlerLatency()),
        "pressureSignal is set (handler latency) but adaptiveConcurrency is false: pressureSignal" + tail);
  }

  @Test
  void adaptiveOptionsAreCheckedWhenAdaptive() {
    refused(b -> b.adaptiveConcurrency(true).minConcurrency(0),
        "minConcurrency is 0: it must be between 1 and concurrency (4)");
    refused(b -> b.adaptiveConcurrency(true).minConcurrency(5),
        "minConcurrency is 5: it must be between 1 and concurrency (4)");
    refused(b -> b.adaptiveConcurrency(true).limitAlgorithm(null), "limitAlgorithm is null: pass GRADIENT2, VEGAS or AIMD");
    refused(b -> b.adaptiveConcurrency(true).pressureSignal(null),
        "pressureSignal is null: pass a signal, or do not call pressureSignal for the handler's latency");
    KafkaReprocessWorker w = build(b -> b.adaptiveConcurrency(true).limitAlgorithm(LimitAlgorithm.VEGAS).minConcurrency(4));
    assertThat(w.concurrencyLimit()).isEqualTo(4);
  }

  @Test
  void liveControlsCheckTheirArgumentsAndNameTheWorker() {
    KafkaReprocessWorker w = build(b -> b.name("w1"));
    assertThatThrownBy(() -> w.rethrottle(-2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("worker 'w1': maxEventsPerSecond is -2.0: it must be 0 (no limit) or between 0.001 and 1.0E9");
    assertThatThrownBy(() -> w.concurrency(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("worker 'w1': concurrency is 0: it must be 1 to 4 (the concurrency the worker was built with)");
    assertThatThrownBy(() -> w.concurrency(5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("worker 'w1': concurrency is 5: it must be 1 to 4 (the concurrency the worker was built with)");
    w.rethrottle(50);
    w.concurrency(2);
    assertThat(w.maxEventsPerSecond()).isEqualTo(50);
    assertThat(w.concurrencyLimit()).isEqualTo(2);
    w.rethrottle(0);
    assertThat(w.maxEventsPerSecond()).isZero();
  }

  @Test
  void pauseAndResumeAreIdempotentAndDoNothingOnceClosed() {
    KafkaReprocessWorker w = build(b -> b);
    assertThat(w.isPaused()).isFalse();
    w.pause();
    w.pause();
    assertThat(w.isPaused()).isTrue();
    w.resume();
    w.resume();
    assertThat(w.isPaused()).isFalse();
    w.close();
    w.pause();
    assertThat(w.isPaused()).isFalse();
    w.rethrottle(10);
    assertThat(w.maxEventsPerSecond()).isZero();
    assertThatThrownBy(() -> w.rethrottle(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
