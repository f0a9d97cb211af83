package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job's executor on borrowed threads: a one-thread pool shows what passes from task to task. */
class BorrowedExecutorTest {

  private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "pool-idle"));

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void tasksRunInOrderAtMostParallelismAtOnceUnderTheJobsThreadNameWhichIsGivenBackAfterwards() throws Exception {
    ExecutorService wide = Executors.newCachedThreadPool();
    try {
      BorrowedExecutor executor = new BorrowedExecutor(wide, n -> "job-shard-" + n, 2);
      AtomicInteger runningNow = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      List<String> names = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        done.add(executor.submit(() -> {
          most.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
          names.add(Thread.currentThread().getName());
          release.await(10, TimeUnit.SECONDS);
          runningNow.decrementAndGet();
          return null;
        }));
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> names.size() == 2);
      release.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(most.get()).isEqualTo(2);
      assertThat(names).hasSize(6).allMatch(n -> n.equals("job-shard-1") || n.equals("job-shard-2"));
      executor.shutdown();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(wide.submit(() -> Thread.currentThread().getName()).get()).startsWith("pool-");
    } finally {
      wide.shutdownNow();
    }
  }

  @Test
  void shutdownNowInterruptsTheRunningTaskButTheInterruptDoesNotReachTheNextJobsTaskOnTheSameThread()
      throws Exception {
    BorrowedExecutor first = new BorrowedExecutor(pool, n -> "first", 1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    first.execute(() -> {
      running.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    first.execute(() -> { }); // queued: dropped by shutdownNow
    assertThat(first.shutdownNow()).hasSize(1);
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> first.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);

    BorrowedExecutor second = new BorrowedExecutor(pool, n -> "second", 1);
    first.shutdownNow(); // late: nothing of the first runs any more
    Future<String> seen = second.submit(() -> Thread.currentThread().getName() + " interrupted="
        + Thread.currentThread().isInterrupted());
    assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("second interrupted=false");
  }

  @Test
  void aTaskThatThrowsEndsAloneAndTheThreadRunsTheNextTask() throws Exception {
    BorrowedExecutor executor = new BorrowedExecutor(pool, n -> "job", 1);
    Future<?> failed = executor.submit(() -> {
      throw new IllegalStateException("boom");
    });
    executor.execute(() -> {
      throw new Error("not even an exception");
    });
    Future<String> next = executor.submit(() -> Thread.currentThread().getName());
    assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("boom");
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("job");
    assertThat(pool.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS)).isEqualTo("pool-idle");
  }

  @Test
  void aParallelismBelowOneIsRefusedWithTheRule() {
    assertThatThrownBy(() -> new BorrowedExecutor(pool, n -> "job", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("parallelism is 0: it must be at least 1");
  }
}
