package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class TaskQueueTest {

  private final AtomicInteger threadsAskedFor = new AtomicInteger();
  private final List<Thread> takers = new ArrayList<>();

  @Test
  void aTaskQueuedWhileNoThreadWaitsAsksForOne() {
    TaskQueue<String> tasks = new TaskQueue<>(threadsAskedFor::incrementAndGet);

    tasks.add("a");
    tasks.add("b");

    assertThat(threadsAskedFor).as("one per task: no thread waits").hasValue(2);
  }

  @Test
  void aTaskQueuedWhileAThreadWaitsAsksForNone() throws Exception {
    TaskQueue<String> tasks = new TaskQueue<>(threadsAskedFor::incrementAndGet);
    CompletableFuture<String> taken = takeOnAnotherThread(tasks);
    awaitWaiting(taken);

    tasks.add("a");

    assertThat(taken.get(30, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(threadsAskedFor).hasValue(0);
  }

  @Test
  void aTaskQueuedWhileTheOnlyWaitingThreadIsTakingAnotherAsksForAThread() throws Exception {
    CountDownLatch tookFirst = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    // Stops the taking thread after it took "first" and before it counts itself out of the waiting threads.
    LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>() {
      @Override
      public String take() throws InterruptedException {
        String task = super.take();
        if (task.equals("first")) {
          tookFirst.countDown();
          goOn.await();
        }
        return task;
      }
    };
    TaskQueue<String> tasks = new TaskQueue<>(queue, threadsAskedFor::incrementAndGet);
    CompletableFuture<String> taken = takeOnAnotherThread(tasks);
    awaitWaiting(taken);
    tasks.add("first");
    assertThat(tookFirst.await(30, TimeUnit.SECONDS)).isTrue();

    tasks.add("second"); // the only thread still counts as waiting, so this asks for none
    assertThat(threadsAskedFor).hasValue(0);
    goOn.countDown();

    assertThat(taken.get(30, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(threadsAskedFor).as("the taking thread, once counted out, asks for one for \"second\"").hasValue(1);
    assertThat(tasks.isEmpty()).isFalse();
  }

  @Test
  void takingTheLastTaskAsksForNothing() throws Exception {
    TaskQueue<String> tasks = new TaskQueue<>(threadsAskedFor::incrementAndGet);
    tasks.add("a");

    assertThat(tasks.take()).isEqualTo("a");

    assertThat(threadsAskedFor).as("only for the task itself").hasValue(1);
  }

  private CompletableFuture<String> takeOnAnotherThread(TaskQueue<String> tasks) {
    CompletableFuture<String> taken = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        taken.complete(tasks.take());
      } catch (Throwable e) {
        taken.completeExceptionally(e);
      }
    }, "task-queue-test-taker");
    t.setDaemon(true);
    takers.add(t);
    t.start();
    return taken;
  }

  /** Waits until the taking thread is parked in its take (a condition, not a sleep). */
  private void awaitWaiting(CompletableFuture<String> taken) {
    Thread t = takers.get(takers.size() - 1);
    Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(30))
        .until(() -> taken.isDone() || t.getState() == Thread.State.WAITING);
  }
}
