package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.LimitAlgorithm;
import dev.reprocess.Outcome;
import dev.reprocess.PressureSignal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pausing, rethrottling and adapting a running worker, against a real Kafka. */
class WorkerControlIT {

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  private static KafkaReprocessWorker.Builder worker(String topic, String group, MeterRegistry registry) {
    return KafkaReprocessWorker.builder().bootstrapServers(KAFKA.bootstrap()).topic(topic).groupId(group)
        .commitInterval(Duration.ofMillis(200)).closeTimeout(Duration.ofSeconds(20)).meterRegistry(registry)
        .kafkaProperties(Map.of("max.poll.interval.ms", 60_000, "session.timeout.ms", 10_000));
  }

  private static double gauge(MeterRegistry registry, String name) {
    Gauge g = registry.find(name).gauge();
    assertThat(g).as("gauge %s", name).isNotNull();
    return g.value();
  }

  /**
   * Nothing is handed to the handler while paused: over a window long enough for many polls (3 s,
   * within 10 s) the worker stays paused and its handler's call count stays {@code calls}.
   */
  private static void awaitHeldWhilePaused(KafkaReprocessWorker worker, IntSupplier handlerCalls, int calls) {
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> worker.isPaused() && handlerCalls.getAsInt() == calls);
  }

  private static ConsumerGroupDescription group(String group) throws Exception {
    return KAFKA.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
  }

  /**
   * Paused, the worker handles nothing more (not even events published meanwhile) yet stays the
   * group's one member; resumed, it handles every event, none lost.
   */
  @Test
  void pauseHoldsEveryRecordWithoutLeavingTheGroupAndResumeLosesNothing() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 3);
    int n = 2_000;
    int m = 500;
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaReprocessWorker worker = worker(topic, group, registry).concurrency(4).handler(event -> {
      handled.add(event.assetId());
      calls.incrementAndGet();
      Thread.sleep(2); // some work, so the pause lands mid-run
      return Outcome.SUCCEEDED;
    }).build().start()) {
      KafkaIts.publish(KAFKA.bootstrap(), topic, "pause", 0, n);
      await().atMost(Duration.ofMinutes(2)).until(() -> calls.get() >= 20);

      worker.pause();
      await().atMost(Duration.ofSeconds(30)).until(() -> worker.isPaused() && worker.inFlight() == 0);
      int callsWhenPaused = calls.get();
      assertThat(gauge(registry, "reprocess.worker.paused")).isEqualTo(1.0);
      KafkaIts.publish(KAFKA.bootstrap(), topic, "pause", n, m);
      awaitHeldWhilePaused(worker, calls::get, callsWhenPaused);
      ConsumerGroupDescription description = group(group);
      assertThat(description.members()).hasSize(1);
      assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
      assertThat(worker.isRunning()).isTrue();

      worker.resume();
      assertThat(gauge(registry, "reprocess.worker.paused")).isEqualTo(0.0);
      await().atMost(Duration.ofMinutes(2)).until(() -> handled.size() == n + m);
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofMinutes(1), topic);
      assertThat(worker.stats().deadLettered()).isZero();
      assertThat(group(group).members()).hasSize(1);
    }
  }

  /** Partitions assigned while paused start paused: a worker paused before start joins the group and handles nothing. */
  @Test
  void aWorkerPausedBeforeStartJoinsTheGroupAndHandlesNothingUntilResumed() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 2);
    KafkaIts.publish(KAFKA.bootstrap(), topic, "paused-start", 0, 100);
    Set<String> handled = ConcurrentHashMap.newKeySet();
    KafkaReprocessWorker worker = worker(topic, group, new SimpleMeterRegistry()).concurrency(2)
        .handler(event -> {
          handled.add(event.assetId());
          return Outcome.SUCCEEDED;
        }).build();
    worker.pause();
    try (worker) {
      worker.start();
      KafkaIts.awaitSettledAssignment(KAFKA.admin(), group, topic, 1, Duration.ofMinutes(1));
      awaitHeldWhilePaused(worker, handled::size, 0);
      assertThat(worker.stats().received()).isZero();

      worker.resume();
      await().atMost(Duration.ofMinutes(1)).until(() -> handled.size() == 100);
    }
  }

  /**
   * Handler calls never outrun the rate: the builder's, then a lower one set live. Only upper
   * bounds are asserted (a slow machine handles fewer); the burst allowed is the calls that had
   * their permit before the change (at most the concurrency), the new limiter's first permit, and
   * one permit for the limiter's cycles starting just before the test reads the clock.
   */
  @Test
  void handlerCallsStayUnderTheBuiltRateAndUnderTheRateSetLive() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 3);
    int concurrency = 4;
    ConcurrentLinkedQueue<Long> callTimes = new ConcurrentLinkedQueue<>();
    try (KafkaReprocessWorker worker = worker(topic, group, new SimpleMeterRegistry()).concurrency(concurrency)
        .maxEventsPerSecond(200).handler(event -> {
          callTimes.add(System.nanoTime());
          return Outcome.SUCCEEDED;
        }).build().start()) {
      long built = System.nanoTime();
      KafkaIts.publish(KAFKA.bootstrap(), topic, "rate", 0, 2_000);
      await().atMost(Duration.ofMinutes(2)).until(() -> callTimes.size() >= 200);
      assertAtMost(callTimes, built, 200, concurrency);

      worker.rethrottle(50);
      long rethrottled = System.nanoTime();
      assertThat(worker.maxEventsPerSecond()).isEqualTo(50);
      await().atMost(Duration.ofMinutes(1)).until(() -> callsSince(callTimes, rethrottled) >= 100);
      assertAtMost(callTimes, rethrottled, 50, concurrency);

      worker.rethrottle(0);
      await().atMost(Duration.ofMinutes(2)).until(() -> worker.stats().succeeded() >= 2_000);
    }
  }

  private static long callsSince(ConcurrentLinkedQueue<Long> callTimes, long since) {
    return callTimes.stream().filter(t -> t - since >= 0).count();
  }

  /** The calls since {@code since}, up to the last one, are at most {@code rate} per second plus the burst. */
  private static void assertAtMost(ConcurrentLinkedQueue<Long> callTimes, long since, double rate, int concurrency) {
    List<Long> times = callTimes.stream().filter(t -> t - since >= 0).sorted().toList();
    double seconds = (times.get(times.size() - 1) - since) / 1e9;
    assertThat((double) times.size()).as("%d calls in %.3f s at %s/s", times.size(), seconds, rate)
        .isLessThanOrEqualTo(rate * seconds + concurrency + 2);
  }

  /** A signal that reports a drop every 10 ms while subscribed. */
  private static final class DropsOnly implements PressureSignal {
    final AtomicBoolean subscribed = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public Subscription subscribe(Listener listener) {
      subscribed.set(true);
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      timer.scheduleAtFixedRate(() -> listener.onSample(TimeUnit.MILLISECONDS.toNanos(5), true), 0, 10,
          TimeUnit.MILLISECONDS);
      return () -> {
        timer.shutdownNow();
        closed.set(true);
      };
    }

    @Override
    public String describe() {
      return "drops only";
    }
  }

  /** An adaptive worker lowers its limit when its pressure signal reports drops, and unsubscribes on close. */
  @Test
  void anAdaptiveWorkerLowersItsLimitOnDropsOfItsPressureSignal() {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 1);
    DropsOnly signal = new DropsOnly();
    MeterRegistry registry = new SimpleMeterRegistry();
    KafkaReprocessWorker worker = worker(topic, group, registry).concurrency(16).adaptiveConcurrency(true)
        .limitAlgorithm(LimitAlgorithm.AIMD).minConcurrency(2).pressureSignal(signal)
        .handler(event -> Outcome.SUCCEEDED).build();
    assertThat(worker.concurrencyLimit()).isEqualTo(16);
    try (worker) {
      worker.start();
      assertThat(signal.subscribed).isTrue();
      String limit = "reprocess.worker.concurrency.limit";
      await().atMost(Duration.ofSeconds(30)).until(() -> gauge(registry, limit) <= 8);
      await().atMost(Duration.ofSeconds(30)).until(() -> worker.concurrencyLimit() == 2);
    }
    assertThat(signal.closed).isTrue();
  }
}
