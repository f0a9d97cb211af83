package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Uses /bin/sh and sleep as stand-in servers. */
class ManagedProcessTest {

    @TempDir
    Path dir;

    @Test
    void aProcessThatExitsDuringStartIsReportedWithTheLastTwentyLinesOfItsLog() {
        ManagedProcess p = ManagedProcess.start("fake", List.of("/bin/sh", "-c",
                "i=1; while [ $i -le 30 ]; do echo \"line $i\"; i=$((i+1)); done; exit 3"), Map.of(), dir,
                dir.resolve("fake.log"));
        assertThatThrownBy(() -> p.awaitReady(Duration.ofSeconds(30), "never", () -> false))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.EXITED);
                    String[] lines = e.getMessage().split("\\R");
                    assertThat(lines[0]).startsWith("fake exited with code 3 during start, after ")
                            .endsWith("; last 20 lines of " + dir.resolve("fake.log") + ":");
                    assertThat(lines).hasSize(21);
                    assertThat(lines[1].trim()).isEqualTo("line 11");
                    assertThat(lines[20].trim()).isEqualTo("line 30");
                });
    }

    @Test
    void aReadinessTimeoutStopsTheProcessAndSaysWhatItWaitedFor() {
        ManagedProcess p = ManagedProcess.start("slow", List.of("/bin/sh", "-c", "echo starting; exec sleep 60"),
                Map.of(), dir, dir.resolve("slow.log"));
        assertThatThrownBy(() -> p.awaitReady(Duration.ofMillis(600), "port 1 to answer", () -> false))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.TIMEOUT);
                    assertThat(e.getMessage()).startsWith("slow was not ready within 0.6 s (waited for port 1 to"
                            + " answer) and was stopped; last 2 lines of").contains("starting");
                });
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void readyWhenTheProbeSaysSoAndStopEndsTheProcessAndItsChildren() throws Exception {
        Path marker = dir.resolve("ready");
        ManagedProcess p = ManagedProcess.start("tree", List.of("/bin/sh", "-c",
                "sleep 120 & touch " + marker + "; wait"), Map.of(), dir, dir.resolve("tree.log"));
        Duration took = p.awaitReady(Duration.ofSeconds(30), "marker", () -> Files.exists(marker));
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        List<ProcessHandle> children = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
        assertThat(children).isNotEmpty();
        assertThat(p.rssBytes()).isPositive();

        p.stop(Duration.ofSeconds(5));
        p.stop(Duration.ofSeconds(5)); // idempotent

        assertThat(p.isAlive()).isFalse();
        for (ProcessHandle child : children) {
            child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(child.isAlive()).isFalse();
        }
    }

    @Test
    void aServerNeverInheritsTheCallersClasspath() throws Exception {
        // The testkit's pom sets CLASSPATH for this test JVM, as a developer's shell might.
        assertThat(System.getenv("CLASSPATH")).isEqualTo("/nonexistent/inherited-from-the-shell.jar");
        ManagedProcess p = ManagedProcess.start("env", List.of("/bin/sh", "-c", "echo \"classpath=[$CLASSPATH]\""),
                Map.of(), dir, dir.resolve("env.log"));
        ProcessHandle.of(p.pid()).ifPresent(h -> h.onExit().join());
        p.stop(Duration.ofSeconds(5));
        assertThat(Files.readString(dir.resolve("env.log"))).contains("classpath=[]").doesNotContain("inherited");
    }

    @Test
    void tailReturnsTheLastLinesOrNothing() throws Exception {
        Path log = Files.writeString(dir.resolve("x.log"), "a\nb\nc\n");
        assertThat(ManagedProcess.tail(log, 2)).containsExactly("b", "c");
        assertThat(ManagedProcess.tail(dir.resolve("missing"), 2)).isEmpty();
    }
}
