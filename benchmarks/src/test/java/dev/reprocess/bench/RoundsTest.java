package dev.reprocess.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RoundsTest {

  @Test
  void figuresAreMediansOfTheMeasuredRoundsAndRatiosArePairedPerRound() throws Exception {
    double[] a = {100, 200, 300};
    double[] b = {50, 400, 100};
    Rounds rounds = new Rounds("test")
        .add("a", r -> r == 0 ? 1 : a[r - 1])
        .add("b", r -> r == 0 ? 1e9 : b[r - 1])
        .add("warm-up only counts when measured", r -> r == 0 ? 1e9 : 1);

    rounds.run(1, 3); // round 0 is the warm-up and is not counted
    assertThat(rounds.median("a")).isEqualTo(200);
    assertThat(rounds.median("b")).isEqualTo(100);
    assertThat(rounds.ratio("a", "b")).isEqualTo(2.0); // ratios 2.0, 0.5, 3.0
    assertThat(rounds.median("warm-up only counts when measured")).isEqualTo(1);
  }

  @Test
  void serverCpuPerUnitIsTheServersCpuTimeOverTheUnitsTheVariantReported() throws Exception {
    AtomicLong clock = new AtomicLong();
    AtomicLong serverNanos = new AtomicLong();
    Rounds rounds = new Rounds("test", clock::get).serverCpu(serverNanos::get);
    rounds.add("v", r -> {
      serverNanos.addAndGet(4_000_000); // the server spends 4 ms
      clock.addAndGet(2_000_000); // over a run of 2 ms
      return 1000 / 0.002; // that read 1,000 units
    });

    rounds.run(0, 1);

    assertThat(rounds.hasServerCpu()).isTrue();
    assertThat(rounds.serverCpuMicrosPerUnit("v")).isCloseTo(4.0, within(1e-9)); // 4,000 us / 1,000 units
    assertThat(rounds.cpuMicrosPerUnit("v")).isGreaterThanOrEqualTo(0);
  }

  @Test
  void everyVariantRunsBeforeAndAfterEachOtherAcrossRounds() {
    List<String> base = List.of("x", "y", "z");
    List<List<String>> orders = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      orders.add(Rounds.order(List.of(List.of("x"), List.of("y"), List.of("z")), round));
    }
    for (String first : base) {
      for (String second : base) {
        if (!first.equals(second)) {
          assertThat(orders).anyMatch(o -> o.indexOf(first) < o.indexOf(second));
        }
      }
    }
  }

  @Test
  void aBlocksVariantsRunBackToBackInEveryRoundEachFirstInHalfOfThem() throws Exception {
    List<String> ran = new ArrayList<>();
    Rounds rounds = new Rounds("test").add("full scan", r -> { ran.add("full scan"); return 1; });
    for (String p : List.of("1", "2", "4", "8")) {
      rounds.block()
          .add("plain " + p, r -> { ran.add("plain " + p); return 1; })
          .add("library " + p, r -> { ran.add("library " + p); return 1; });
    }
    int rounds0 = 12;
    rounds.run(2, rounds0 - 2);

    assertThat(ran).hasSize(9 * rounds0);
    for (int round = 0; round < rounds0; round++) {
      assertThat(ran.subList(9 * round, 9 * (round + 1))).as("round %d", round).containsExactlyInAnyOrder(
          "full scan", "plain 1", "library 1", "plain 2", "library 2", "plain 4", "library 4", "plain 8", "library 8");
    }
    for (String p : List.of("1", "2", "4", "8")) {
      int plainFirst = 0;
      for (int round = 0; round < rounds0; round++) {
        List<String> order = ran.subList(9 * round, 9 * (round + 1));
        int plain = order.indexOf("plain " + p);
        int library = order.indexOf("library " + p);
        assertThat(Math.abs(plain - library)).as("round %d: %s", round, order).isEqualTo(1);
        plainFirst += plain < library ? 1 : 0;
      }
      assertThat(plainFirst).isEqualTo(rounds0 / 2);
    }
  }

  @Test
  void aBlockWithNoVariantTakesNoPlaceInTheRotation() throws Exception {
    List<String> ran = new ArrayList<>();
    Rounds rounds = new Rounds("test").add("a", r -> { ran.add("a"); return 1; });
    rounds.block(); // nothing added
    rounds.add("b", r -> { ran.add("b"); return 1; });
    rounds.run(0, 6);

    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      expected.addAll(Rounds.order(List.of(List.of("a"), List.of("b")), round));
    }
    assertThat(ran).isEqualTo(expected);
  }

  @Test
  void aVariantNameIsAddedOnce() {
    Rounds rounds = new Rounds("test").add("a", r -> 1);
    assertThatThrownBy(() -> rounds.block().add("a", r -> 2)).hasMessageContaining("variant added twice: a");
  }
}
