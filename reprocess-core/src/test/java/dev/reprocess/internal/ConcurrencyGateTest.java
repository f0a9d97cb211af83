package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ConcurrencyGateTest {

  static final long MS = Duration.ofMillis(1).toNanos();

  @Test
  void fixedGateBlocksAtItsLimitUntilAPermitIsReleased() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(2);
    assertThat(gate.acquire(() -> false)).isTrue();
    assertThat(gate.acquire(() -> false)).isTrue();
    AtomicBoolean third = new AtomicBoolean();
    Thread t = new Thread(() -> {
      try {
        third.set(gate.acquire(() -> false));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    await().until(() -> t.getState() == Thread.State.WAITING);
    assertThat(third).isFalse();
    gate.release();
    t.join();
    assertThat(third).isTrue();
    assertThat(gate.inFlight()).isEqualTo(2);
  }

  @Test
  void aReleasedPermitReachesAWaiterEvenIfTheWakeUpWentToOneThatStopsFirst() throws Exception {
    // release() wakes one waiter: if it wakes the one whose caller stops meanwhile, that one must
    // pass the wake-up on, or the other waits with a permit free.
    ConcurrencyGate gate = ConcurrencyGate.fixed(1);
    assertThat(gate.acquire(() -> false)).isTrue();
    AtomicBoolean stopA = new AtomicBoolean();
    AtomicBoolean gotA = new AtomicBoolean();
    AtomicBoolean gotB = new AtomicBoolean();
    Thread a = waiter(gate, stopA::get, gotA);
    Thread b = waiter(gate, () -> false, gotB);
    await().until(() -> a.getState() == Thread.State.WAITING && b.getState() == Thread.State.WAITING);
    stopA.set(true); // no wakeUp(): only the release's wake-up reaches the waiters
    gate.release();
    b.join(Duration.ofSeconds(30).toMillis());
    assertThat(gotB).as("the waiter that goes on got the permit").isTrue();
    gate.wakeUp(); // the stopping waiter, if the release's wake-up went to the other one
    a.join(Duration.ofSeconds(30).toMillis());
    assertThat(a.isAlive()).isFalse();
    assertThat(gotA).isFalse();
    assertThat(gate.inFlight()).isEqualTo(1);
  }

  @Test
  void permitsReleasedInAHoldComeBackTogetherAtItsEndAndWakeAsManyWaiters() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(3);
    assertThat(gate.tryAcquire(3)).isEqualTo(3);
    AtomicBoolean gotA = new AtomicBoolean();
    AtomicBoolean gotB = new AtomicBoolean();
    Thread a = waiter(gate, () -> false, gotA);
    Thread b = waiter(gate, () -> false, gotB);
    await().until(() -> a.getState() == Thread.State.WAITING && b.getState() == Thread.State.WAITING);

    gate.holdReleases();
    gate.holdReleases(); // holds nest: only the outer end gives back
    gate.release();
    gate.release();
    gate.releaseHeld();
    assertThat(gate.inFlight()).as("held until the outer hold ends").isEqualTo(3);
    assertThat(gate.tryAcquire(1)).isZero();
    gate.releaseHeld();

    a.join(Duration.ofSeconds(30).toMillis());
    b.join(Duration.ofSeconds(30).toMillis());
    assertThat(gotA).as("both waiters woken by the two permits given back at once").isTrue();
    assertThat(gotB).isTrue();
    assertThat(gate.inFlight()).isEqualTo(3);
  }

  @Test
  void aHoldDelaysOnlyTheHoldingThreadsReleases() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(2);
    assertThat(gate.tryAcquire(2)).isEqualTo(2);
    gate.holdReleases();
    Thread other = new Thread(gate::release);
    other.start();
    other.join();
    assertThat(gate.inFlight()).as("another thread's release is not held").isEqualTo(1);
    gate.release();
    assertThat(gate.inFlight()).isEqualTo(1);
    gate.releaseHeld();
    assertThat(gate.inFlight()).isZero();
  }

  private static Thread waiter(ConcurrencyGate gate, java.util.function.BooleanSupplier stop, AtomicBoolean got) {
    Thread t = new Thread(() -> {
      try {
        got.set(gate.acquire(stop));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    return t;
  }

  @Test
  void acquireUpToTakesTheFreePermitsAtOnceAndWaitsOnlyWhenNoneIsFree() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(5);
    assertThat(gate.acquireUpTo(3, () -> false)).isEqualTo(3);
    assertThat(gate.acquireUpTo(10, () -> false)).isEqualTo(2);
    assertThat(gate.inFlight()).isEqualTo(5);
    java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger(-1);
    Thread t = new Thread(() -> {
      try {
        taken.set(gate.acquireUpTo(10, () -> false));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    await().until(() -> t.getState() == Thread.State.WAITING);
    gate.release();
    gate.release();
    t.join();
    assertThat(taken.get()).isBetween(1, 2); // woken by the first release, or after both
    assertThat(gate.inFlight()).isEqualTo(3 + taken.get());
    assertThat(gate.acquireUpTo(1, () -> true)).isZero();
  }

  @Test
  void noPermitIsHandedOutWhilePausedEvenWithPermitsFree() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(4);
    gate.setPaused(true);
    AtomicBoolean got = new AtomicBoolean();
    Thread t = new Thread(() -> {
      try {
        got.set(gate.acquire(() -> false));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    await().until(() -> t.getState() == Thread.State.WAITING);
    assertThat(gate.inFlight()).isZero();
    gate.setPaused(false);
    t.join();
    assertThat(got).isTrue();
    assertThat(gate.inFlight()).isEqualTo(1);
  }

  @Test
  void aStopRequestWakesAWaitingAcquire() throws Exception {
    ConcurrencyGate gate = ConcurrencyGate.fixed(1);
    gate.acquire(() -> false);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean result = new AtomicBoolean(true);
    Thread t = new Thread(() -> {
      try {
        result.set(gate.acquire(stop::get));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    await().until(() -> t.getState() == Thread.State.WAITING);
    stop.set(true);
    gate.wakeUp();
    t.join();
    assertThat(result).isFalse();
  }

  @Test
  void adaptiveLimitFallsWhenLatencyRisesAndRecoversWhenItFalls() throws Exception {
    int max = 50;
    ConcurrencyGate gate = ConcurrencyGate.adaptive(max);
    assertThat(gate.limit()).isEqualTo(max);
    for (int i = 0; i < max; i++) {
      assertThat(gate.acquire(() -> false)).isTrue();
    }
    long now = 0;
    for (int i = 0; i < 300; i++) {
      gate.sample(now, 10 * MS, false);
      now += 10 * MS;
    }
    int steady = gate.limit();
    assertThat(steady).isGreaterThanOrEqualTo(max - 5);

    int lowest = steady;
    for (int i = 0; i < 100; i++) {
      gate.sample(now, 200 * MS, false);
      now += 200 * MS;
      lowest = Math.min(lowest, gate.limit());
      assertThat(gate.limit()).isBetween(1, max);
    }
    assertThat(lowest).isLessThan(max / 2);
    int afterSpike = gate.limit();

    for (int i = 0; i < 1000; i++) {
      gate.sample(now, 10 * MS, false);
      now += 10 * MS;
      assertThat(gate.limit()).isBetween(1, max);
    }
    assertThat(gate.limit()).isGreaterThan(afterSpike);
  }

  @Test
  void fixedGateIgnoresLatency() {
    ConcurrencyGate gate = ConcurrencyGate.fixed(8);
    for (int i = 0; i < 100; i++) {
      gate.sample(i, 1_000 * MS, false);
    }
    assertThat(gate.limit()).isEqualTo(8);
  }
}
