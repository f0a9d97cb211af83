package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.Outcome;
import dev.reprocess.PressureSignal;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testkit.TestBackends;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 1 (a): the Cassandra driver's request latency on the host's own session as an
 * adaptive job's pressure signal, on the real Cassandra.
 */
class DriverPressureSignalIT {

  record Sample(long latencyNanos, boolean dropped) {}

  @Test
  void everyCompletedRequestIsASampleAndATimeOutIsADropButABadQueryIsNeither() {
    DriverPressureSignal signal = DriverPressureSignal.create();
    try (CqlSession session = Cassandra.builder(TestBackends.cassandra()).addRequestTracker(signal).build()) {
      ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
      PressureSignal.Subscription subscription = signal.subscribe((l, d) -> samples.add(new Sample(l, d)));

      for (int i = 0; i < 50; i++) {
        session.execute("SELECT release_version FROM system.local");
      }
      await().untilAsserted(() -> assertThat(samples).hasSize(50));
      assertThat(samples).allSatisfy(s -> {
        assertThat(s.dropped()).isFalse();
        assertThat(s.latencyNanos()).isPositive();
      });

      samples.clear();
      assertThatThrownBy(() -> session.execute("SELEC nothing FROM nowhere")).isNotNull();
      session.execute("SELECT release_version FROM system.local");
      await().untilAsserted(() -> assertThat(samples).hasSize(1)); // the good query's, not the bad one's
      assertThat(samples).noneMatch(Sample::dropped);

      // Unavailable: a keyspace of 3 replicas on this one node, read at QUORUM.
      String ks = Cassandra.newKeyspace(session, "pressure");
      session.execute("ALTER KEYSPACE " + ks
          + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
      session.execute("CREATE TABLE " + ks + ".t (id text PRIMARY KEY)");
      samples.clear();
      SimpleStatement quorum = SimpleStatement.newInstance("SELECT * FROM " + ks + ".t WHERE id = 'x'")
          .setConsistencyLevel(DefaultConsistencyLevel.QUORUM);
      assertThatThrownBy(() -> session.execute(quorum))
          .hasMessageContaining("UnavailableException"); // retried on the next node: AllNodesFailedException
      // The tracker hears of a request when the driver completes it, possibly after execute returned.
      await().untilAsserted(() -> assertThat(samples).filteredOn(Sample::dropped).hasSize(1));
      Cassandra.dropKeyspace(session, ks);

      subscription.close();
      samples.clear();
      session.execute("SELECT release_version FROM system.local");
      signal.subscribe((l, d) -> samples.add(new Sample(-1, d))).close(); // another subscriber came and went
      assertThat(samples).as("no sample after the subscription is closed").isEmpty();
    }
  }

  @Test
  void anAdaptiveJobLearnsFromTheHostsSessionWhileItRunsAndUnsubscribesAtTheEnd() {
    DriverPressureSignal signal = DriverPressureSignal.filter(
        r -> r instanceof SimpleStatement st && st.getQuery().contains("system.local"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong samplesSeenByTheJob = new AtomicLong();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add("asset-" + i);
    }
    try (CqlSession session = Cassandra.builder(TestBackends.cassandra()).addRequestTracker(signal).build()) {
      JobReport report = ReprocessJob.builder("driver-pressure")
          .selector(dev.reprocess.testing.InMemorySelector.ofIds(ids, 3))
          .handler(e -> {
            // The "production" request each event makes, on the host's session.
            session.execute("SELECT release_version FROM system.local");
            Gauge samples = registry.find("reprocess.pressure.samples").gauge();
            if (samples != null) {
              samplesSeenByTheJob.accumulateAndGet((long) samples.value(), Math::max);
            }
            return Outcome.SUCCEEDED;
          })
          .concurrency(8).adaptiveConcurrency(true).limitAlgorithm(LimitAlgorithm.AIMD).minConcurrency(2)
          .pressureSignal(signal).meterRegistry(registry)
          .build().run();

      assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.succeeded()).isEqualTo(300);
      assertThat(samplesSeenByTheJob.get()).as("samples the job's limit received while it ran").isPositive();
      assertThat(registry.find("reprocess.pressure.samples").gauge()).as("gauges end with the run").isNull();
    }
  }
}
