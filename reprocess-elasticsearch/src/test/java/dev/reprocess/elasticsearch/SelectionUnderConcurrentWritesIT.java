package dev.reprocess.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Page;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.elasticsearch.internal.SeqNoPaginator;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The selection guarantee against a real Elasticsearch: 20,000 documents in one primary shard
 * (so {@code _seq_no} order is the order they were loaded in); while a job selects them, 1,000 it
 * has not reached yet and 1,000 it already selected are rewritten. Every original must be
 * selected at least once; each test prints how many were selected 0, 1 and 2+ times.
 */
class SelectionUnderConcurrentWritesIT {

  private static final int DOCS = 20_000;
  private static final int REWRITTEN = 1000;
  private static ElasticsearchClient client;
  /** Loaded once, read-only; each test works on a clone. */
  private static AssetsIndex original;
  private AssetsIndex assets;

  @BeforeAll
  static void load() throws Exception {
    client = AssetsIndex.client(TestBackends.elasticsearch().url());
    original = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-writes"), 1, DOCS);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      if (original != null) {
        AssetsIndex.deleteQuietly(client, original.name);
      }
      AssetsIndex.close(client);
    }
  }

  @AfterEach
  void dropIndex() {
    if (assets != null) {
      AssetsIndex.deleteQuietly(client, assets.name);
    }
  }

  private AssetsIndex load(String what) throws Exception {
    assets = original.cloneAs(client, AssetsIndex.uniqueName("reprocess-it-writes-" + what));
    return assets;
  }

  private static ReprocessJob.Builder job(String name, ElasticsearchSelector selector, RecordingHandler handler) {
    return ReprocessJob.builder(name + "-" + Long.toString(new Random().nextLong() >>> 1, 36))
        .selector(selector).handler(handler).pageSize(500).shardsInParallel(4).concurrency(32);
  }

  /** A handler hook that stops every event from the given ordinal on until the test has written. */
  private static final class Pause {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch resumed = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    final int at;

    Pause(int at) {
      this.at = at;
    }

    RecordingHandler handler() {
      return new RecordingHandler().beforeEach(e -> {
        if (calls.incrementAndGet() >= at) {
          reached.countDown();
          if (!resumed.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the test never let the events from " + at + " on go on");
          }
        }
        return null;
      });
    }

    void awaitReached() throws InterruptedException {
      assertThat(reached.await(2, TimeUnit.MINUTES)).as("the job reached event %d", at).isTrue();
    }
  }

  /** The documents rewritten during a run, by when the selector met them. */
  private record Rewrites(Set<String> beforeReached, Set<String> afterSelected) {}

  /**
   * Rewrites 1,000 documents not selected yet (from the last 40% of the load order, far beyond
   * what was fetched) and 1,000 already selected, as production would, and makes them visible.
   */
  private Rewrites rewrite(Set<String> selectedSoFar) throws Exception {
    List<String> order = new ArrayList<>(assets.docs.keySet());
    Set<String> before = new HashSet<>();
    for (int i = DOCS * 6 / 10; i < DOCS && before.size() < REWRITTEN; i += 7) {
      if (!selectedSoFar.contains(order.get(i))) {
        before.add(order.get(i));
      }
    }
    Set<String> after = new HashSet<>(selectedSoFar.stream().limit(REWRITTEN).toList());
    assertThat(before).hasSize(REWRITTEN);
    assertThat(after).hasSize(REWRITTEN);
    Map<String, Map<String, Object>> changed = new LinkedHashMap<>();
    for (String id : union(before, after)) {
      Map<String, Object> doc = new HashMap<>(assets.docs.get(id));
      doc.put("batch", "rewritten");
      changed.put(id, doc);
    }
    AssetsIndex.index(client, assets.name, changed);
    client.indices().refresh(r -> r.index(assets.name));
    return new Rewrites(before, after);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private static Set<String> ids(List<ReprocessEvent> events) {
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.assetId()));
    return ids;
  }

  /** How often each original was selected, printed as the 0 / 1 / 2+ table, and none 0 times. */
  private Map<String, Integer> checkEveryOriginalSelected(String test, List<String> selections, Rewrites rewrites) {
    Map<String, Integer> times = new HashMap<>();
    assets.docs.keySet().forEach(id -> times.put(id, 0));
    selections.forEach(id -> times.computeIfPresent(id, (k, v) -> v + 1));
    System.out.printf("%s: originals selected 0/1/2+ times: all %s, rewritten before reached %s, rewritten after selected %s%n",
        test, histogram(times, assets.docs.keySet()), histogram(times, rewrites.beforeReached()), histogram(times, rewrites.afterSelected()));
    assertThat(times.size()).isEqualTo(DOCS);
    assertThat(times.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList())
        .as("originals never selected").isEmpty();
    return times;
  }

  private static String histogram(Map<String, Integer> times, Set<String> ids) {
    long[] h = new long[3];
    ids.forEach(id -> h[Math.min(2, times.get(id))]++);
    return h[0] + "/" + h[1] + "/" + h[2] + " (at most " + ids.stream().mapToInt(times::get).max().orElse(0) + ")";
  }

  @Test
  void oneLivingPointInTimeSelectsEveryOriginalExactlyOnce() throws Exception {
    load("pit");
    Pause pause = new Pause(2000);
    RecordingHandler handler = pause.handler();
    JobExecution execution = job("es-writes-pit", ElasticsearchSelector.builder(client).index(assets.name).build(), handler).build().start();
    pause.awaitReached();
    Rewrites rewrites = rewrite(ids(handler.events()));
    pause.resumed.countDown();
    execution.await(Duration.ofMinutes(2)).throwIfFailed();

    Map<String, Integer> times = checkEveryOriginalSelected("one point in time", handler.handledAssetIds(), rewrites);
    assertThat(times.values()).as("a frozen snapshot: each once").containsOnly(1);
  }

  @Test
  void aPointInTimeThatVanishesMidRunIsReopenedAndReadToItsEnd() throws Exception {
    load("reopen");
    List<String> selected = new ArrayList<>();
    Rewrites rewrites;
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(assets.name).fetchSize(1000).build();
        SeqNoPaginator paginator = (SeqNoPaginator) selector.open(selector.shards().get(0), null, 500)) {
      for (int i = 0; i < 4; i++) {
        paginator.nextPage().assets().forEach(a -> selected.add(a.assetId()));
      }
      rewrites = rewrite(new HashSet<>(selected));
      String pit = paginator.pointInTimeId();
      assertThat(client.closePointInTime(c -> c.id(pit)).numFreed()).as("closed behind its back").isEqualTo(1);
      Page page;
      do {
        page = paginator.nextPage();
        page.assets().forEach(a -> selected.add(a.assetId()));
      } while (!page.last());
      assertThat(paginator.pointInTimeOpens()).isEqualTo(2);
    }

    Map<String, Integer> times = checkEveryOriginalSelected("point in time reopened", selected, rewrites);
    assertThat(rewrites.afterSelected()).as("selected again at their new _seq_no").allSatisfy(id -> assertThat(times.get(id)).isEqualTo(2));
    assertThat(selected).as("only those twice").hasSize(DOCS + REWRITTEN);
  }

  @Test
  void aCancelledJobResumedFromItsCheckpointsSelectsEveryOriginal(@TempDir Path checkpoints) throws Exception {
    load("resume");
    FileCheckpointStore store = new FileCheckpointStore(checkpoints);
    String name = "es-writes-resume-" + Long.toString(new Random().nextLong() >>> 1, 36);
    Pause pause = new Pause(6000);
    RecordingHandler first = pause.handler();
    JobExecution execution = ReprocessJob.builder(name).selector(ElasticsearchSelector.builder(client).index(assets.name).build())
        .handler(first).pageSize(500).concurrency(32).checkpointStore(store).build().start();
    pause.awaitReached();
    Rewrites rewrites = rewrite(ids(first.events()));
    execution.cancel();
    pause.resumed.countDown();
    assertThat(execution.await(Duration.ofMinutes(2)).status()).isEqualTo(JobStatus.CANCELLED);

    RecordingHandler second = new RecordingHandler();
    JobReport report = ReprocessJob.builder(name).selector(ElasticsearchSelector.builder(client).index(assets.name).build())
        .handler(second).pageSize(500).concurrency(32).checkpointStore(store).build().run().throwIfFailed();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);

    List<String> selections = new ArrayList<>(first.handledAssetIds());
    selections.addAll(second.handledAssetIds());
    checkEveryOriginalSelected("cancelled and resumed", selections, rewrites);
    assertThat(second.handledAssetIds()).as("the resumed run selects the rewritten ones at their new _seq_no")
        .containsAll(rewrites.afterSelected());
  }

  @Test
  void fourSlicesSelectEveryOriginalWhenSomeStartAfterTheWrites() throws Exception {
    load("slices");
    Pause pause = new Pause(3000);
    RecordingHandler handler = pause.handler();
    // two slices at a time: slices 2 and 3 open their points in time after the rewrites
    JobExecution execution = job("es-writes-slices", ElasticsearchSelector.builder(client).index(assets.name).slices(4).build(), handler)
        .shardsInParallel(2).build().start();
    pause.awaitReached();
    Rewrites rewrites = rewrite(ids(handler.events()));
    pause.resumed.countDown();
    JobReport report = execution.await(Duration.ofMinutes(2)).throwIfFailed();
    assertThat(report.shardsCompleted()).isEqualTo(4);

    Map<String, Integer> times = checkEveryOriginalSelected("4 slices", handler.handledAssetIds(), rewrites);
    Set<String> untouched = new HashSet<>(assets.docs.keySet());
    untouched.removeAll(union(rewrites.beforeReached(), rewrites.afterSelected()));
    assertThat(untouched).as("documents nobody rewrote: once").allSatisfy(id -> assertThat(times.get(id)).isEqualTo(1));
  }

  /**
   * A run stops (as a SIGKILL would: no checkpoint lands after that instant) right after slice 0
   * of 4 completed, before the other slices delivered anything; documents are then rewritten, and
   * a new run resumes. The slices the first run never started keep the base their checkpoints
   * pinned, so a document that moved into a block of the completed slice is still read.
   */
  @Test
  void slicesAStoppedRunNeverStartedKeepTheirBaseAndSelectEveryOriginalOnResume(@TempDir Path checkpoints)
      throws Exception {
    load("unstarted");
    FileCheckpointStore store = new FileCheckpointStore(checkpoints);
    AtomicBoolean stopped = new AtomicBoolean();
    CheckpointStore dying = new CheckpointStore() {
      @Override
      public Map<String, Checkpoint> load(String jobName) {
        return store.load(jobName);
      }

      @Override
      public void save(Checkpoint checkpoint) {
        if (!stopped.get()) {
          store.save(checkpoint);
        }
      }

      @Override
      public void delete(String jobName) {
        store.delete(jobName);
      }
    };
    String name = "es-writes-unstarted-" + Long.toString(new Random().nextLong() >>> 1, 36);
    String slice0 = ElasticsearchSelector.builder(client).index(assets.name).slices(4).build().shards().get(0).id();
    List<String> beforeStop = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    RecordingHandler first = new RecordingHandler().beforeEach(e -> {
      if (!stopped.get() && e.shardId().equals(slice0)) {
        beforeStop.add(e.assetId());
        return null;
      }
      if (stopped.compareAndSet(false, true)) {
        reached.countDown();
      }
      if (!released.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never released the first run");
      }
      return null;
    });
    JobExecution execution = ReprocessJob.builder(name)
        .selector(ElasticsearchSelector.builder(client).index(assets.name).slices(4).build())
        .handler(first).pageSize(500).concurrency(8).shardsInParallel(1).checkpointStore(dying)
        // a reader waits for its shard's last checkpoint: slice 0 is COMPLETED in the store before slice 1 starts
        .checkpointInterval(Duration.ZERO)
        .build().start();
    assertThat(reached.await(2, TimeUnit.MINUTES)).as("the first run reached slice 1").isTrue();
    Map<String, Checkpoint> atStop = store.load(name);
    assertThat(atStop.get(slice0).completed()).as("slice 0 completed before slice 1 started").isTrue();
    assertThat(atStop.values().stream().filter(c -> !c.completed()).toList())
        .as("the other slices: their start pinned, nothing delivered").hasSize(3)
        .allSatisfy(c -> assertThat(c.selected()).isZero());

    // Every 5th document not selected yet is rewritten: its new _seq_no lies above the first run's base.
    Set<String> notSelected = new HashSet<>();
    List<String> order = new ArrayList<>(assets.docs.keySet());
    for (int i = 0; i < order.size(); i += 5) {
      if (!beforeStop.contains(order.get(i))) {
        notSelected.add(order.get(i));
      }
    }
    Map<String, Map<String, Object>> changed = new LinkedHashMap<>();
    notSelected.forEach(id -> {
      Map<String, Object> doc = new HashMap<>(assets.docs.get(id));
      doc.put("batch", "rewritten");
      changed.put(id, doc);
    });
    AssetsIndex.index(client, assets.name, changed);
    client.indices().refresh(r -> r.index(assets.name));
    Rewrites rewrites = new Rewrites(notSelected, Set.of());
    execution.cancel();
    released.countDown();
    execution.await(Duration.ofMinutes(2));

    RecordingHandler second = new RecordingHandler();
    JobReport report = ReprocessJob.builder(name)
        .selector(ElasticsearchSelector.builder(client).index(assets.name).slices(4).build())
        .handler(second).pageSize(500).concurrency(32).shardsInParallel(2).checkpointStore(store).build().run()
        .throwIfFailed();
    assertThat(report.shardsCompleted()).isEqualTo(4);

    List<String> selections = new ArrayList<>(beforeStop);
    selections.addAll(second.handledAssetIds());
    checkEveryOriginalSelected("4 slices, 3 never started before a stop", selections, rewrites);
  }
}
