package dev.reprocess.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes sharing a {@link FileCheckpointStore} directory: the OS file lock is the lease. */
class FileLeaseIT {
  private static final Duration CHILD_RUN_LIMIT = Duration.ofSeconds(120);
  private static final int COUNT = 4000;

  @TempDir Path dir;
  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
  }

  @Test
  void twoProcessesAtOnceRunTheJobOnceAndTheOtherIsRefusedNamingTheHolder() throws Exception {
    Child a = start("together", 1000);
    Child b = start("together", 1000);
    int exitA = a.jvm.awaitExit(CHILD_RUN_LIMIT);
    int exitB = b.jvm.awaitExit(CHILD_RUN_LIMIT);
    assertThat(List.of(exitA, exitB)).as(a.jvm.log() + "\n----\n" + b.jvm.log()).containsExactlyInAnyOrder(0, 3);
    Child winner = exitA == 0 ? a : b;
    Child loser = exitA == 0 ? b : a;
    assertThat(loser.jvm.log()).contains("RESULT FAILED job 'together': running elsewhere: its lease is held by '")
        .contains("/" + winner.jvm.pid() + "/").contains("OS lock");
    assertThat(loser.handled()).isEmpty();
    assertThat(new HashSet<>(winner.handled())).isEqualTo(allIds());
  }

  @Test
  void aHolderKilledMidRunIsTakenOverAtOnceAndNothingIsLost() throws Exception {
    Child first = start("killed", 500);
    Path checkpoints = dir.resolve("checkpoints");
    FileCheckpointStore store = new FileCheckpointStore(checkpoints);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() ->
        first.handled().size() >= 500 && new FileCheckpointStore(checkpoints).load("killed").values().stream()
            .anyMatch(c -> !c.completed() && c.cursor() != null));
    first.jvm.kill();
    Child second = start("killed", 20000);
    assertThat(second.jvm.awaitExit(CHILD_RUN_LIMIT)).as(second.jvm.log()).isZero();
    Set<String> union = new HashSet<>(first.handled());
    union.addAll(second.handled());
    assertThat(union).isEqualTo(allIds());
    Set<String> twice = new HashSet<>(first.handled());
    twice.retainAll(new HashSet<>(second.handled()));
    // pages in flight (16) and final but unwritten (4) per shard, with checkpointInterval 0
    assertThat(twice.size()).isLessThanOrEqualTo((16 + 4) * 20 * 4);
    assertThat(store.load("killed").values()).hasSize(4).allMatch(Checkpoint::completed);
    assertThat(Files.readString(checkpoints.resolve("killed.lease"))).contains("\"fencingToken\":2");
  }

  @Test
  void aRefusedAttemptInTheHoldersProcessLeavesItsLockHeldForOtherProcesses() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    JobLease held = new FileCheckpointStore(checkpoints).acquireLease("held", "tool/1/aa", Duration.ofSeconds(30), false);
    // A second acquisition in this process (an admin check, another store object) is refused, and
    // must not close the file: that would release the process's lock.
    assertThatThrownBy(() -> new FileCheckpointStore(checkpoints).acquireLease("held", "tool/1/bb",
        Duration.ofSeconds(30), false)).isInstanceOf(LeaseHeldException.class)
        .hasMessageContaining("running in this process").hasMessageContaining("'tool/1/aa'");
    Child refused = start("held", 20000);
    assertThat(refused.jvm.awaitExit(CHILD_RUN_LIMIT)).as(refused.jvm.log()).isEqualTo(3);
    assertThat(refused.jvm.log()).contains("running elsewhere: its lease is held by 'tool/1/aa'");
    assertThat(refused.handled()).isEmpty();
    held.close();
    Child after = start("held", 20000);
    assertThat(after.jvm.awaitExit(CHILD_RUN_LIMIT)).as(after.jvm.log()).isZero();
    assertThat(new HashSet<>(after.handled())).isEqualTo(allIds());
  }

  private static Set<String> allIds() {
    return IntStream.range(0, COUNT).mapToObj(i -> "a-" + i).collect(Collectors.toSet());
  }

  private Child start(String job, double rate) throws IOException {
    Path out = Files.createTempFile(dir, "out-", ".txt");
    ChildJvm child = ChildJvm.start(FileLeaseChild.class, List.of("-Xmx128m"), List.of(
        dir.resolve("checkpoints").toString(), job, out.toString(), Integer.toString(COUNT), Double.toString(rate)),
        Files.createTempFile(dir, "child-", ".log"));
    children.add(child);
    return new Child(child, out);
  }

  private record Child(ChildJvm jvm, Path out) {
    List<String> handled() {
      return ChildJvm.completeLines(out);
    }
  }
}
