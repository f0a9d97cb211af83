package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared server life cycle, with /bin/sh as a stand-in server that is ready once it has touched a file. */
class ServerProcessTest {

    @TempDir
    Path dir;

    /** Writes its ports to {@code ports.txt}; launch N touches {@code ready-N}, or exits at once when told to die. */
    static final class FakeServer extends ServerProcess {
        int resolved;
        boolean dieOnLaunch;

        FakeServer(ServerOptions options) {
            super("fake", options, Duration.ofSeconds(5), "fake main port", "fake second port");
        }

        @Override
        protected void resolve() {
            resolved++;
        }

        @Override
        protected Path configure(Path leased, int[] ports) throws java.io.IOException {
            Files.writeString(leased.resolve("ports.txt"), Arrays.toString(ports));
            return leased;
        }

        @Override
        protected Launch launch(int number, Path directory, int[] ports) {
            Path ready = directory.resolve("ready-" + number);
            String script = dieOnLaunch ? "echo dying; exit 4" : "echo launch " + number + "; touch " + ready
                    + "; exec sleep 600";
            return new Launch(List.of("/bin/sh", "-c", script), Map.of(), directory.resolve("fake-" + number + ".log"),
                    ready + " to exist", () -> Files.exists(ready));
        }
    }

    private ServerOptions options(Path directory, int... ports) {
        return new ServerOptions(directory, dir, false, Duration.ofSeconds(30), null, "1m", ports);
    }

    @Test
    void startLocksAFreeFolderConfiguresLaunchesAndWaitsForTheProbe() throws Exception {
        FakeServer server = new FakeServer(options(null, 0, 0));
        assertThatThrownBy(server::pid).isInstanceOf(IllegalStateException.class)
                .hasMessage("fake server is not started");
        assertThat(server.isRunning()).isFalse();
        assertThat(server.residentMemoryBytes()).isEqualTo(-1);

        server.start();
        try {
            assertThat(server.resolved).isEqualTo(1);
            assertThat(server.directory()).isEqualTo(dir.resolve("fake-1"));
            assertThat(Files.readString(server.directory().resolve("ports.txt")))
                    .isEqualTo("[" + server.port(0) + ", " + server.port(1) + "]");
            assertThat(server.port(0)).isNotEqualTo(server.port(1)).isBetween(1, 65535);
            assertThat(server.logFile()).isEqualTo(server.directory().resolve("fake-1.log"));
            assertThat(Files.readString(server.logFile())).contains("launch 1");
            assertThat(server.isRunning()).isTrue();
            assertThat(server.startupTime()).isLessThan(Duration.ofSeconds(30));
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("fake server already started");
        } finally {
            server.close();
        }
    }

    @Test
    void closeStopsTheProcessOnceAndReleasesTheFolder() throws Exception {
        Path exact = dir.resolve("exact");
        FakeServer server = new FakeServer(options(exact, 0, 0));
        server.start();
        long pid = server.pid();

        server.close();
        server.close(); // idempotent

        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        assertThat(server.isRunning()).isFalse();
        assertFolderReleased(exact);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("fake server already closed");
        assertThatThrownBy(server::restart).isInstanceOf(IllegalStateException.class)
                .hasMessage("fake server is closed");
    }

    @Test
    void restartRelaunchesOnTheSamePortsAndFolderWithANewLog() throws Exception {
        int[] requested = Ports.pickFree(1);
        FakeServer server = new FakeServer(options(null, requested[0], 0));
        server.start();
        try {
            int[] ports = {server.port(0), server.port(1)};
            assertThat(ports[0]).as("a requested port is used as it is").isEqualTo(requested[0]);
            Path folder = server.directory();
            long before = server.pid();

            server.restart();

            assertThat(ProcessHandle.of(before).map(h -> h.onExit().isDone() || !h.isAlive()).orElse(true)).isTrue();
            assertThat(server.pid()).isNotEqualTo(before);
            assertThat(new int[] {server.port(0), server.port(1)}).containsExactly(ports);
            assertThat(server.directory()).isEqualTo(folder);
            assertThat(server.logFile()).isEqualTo(folder.resolve("fake-2.log"));
            assertThat(server.resolved).as("resolved once, at start").isEqualTo(1);
            assertThat(server.isRunning()).isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void aServerThatDiesDuringStartIsReportedAndReleasesItsFolder() throws Exception {
        Path exact = dir.resolve("dies");
        FakeServer server = new FakeServer(options(exact, 0, 0));
        server.dieOnLaunch = true;

        assertThatThrownBy(server::start).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.reason()).isEqualTo(BackendException.Reason.EXITED);
            assertThat(e.getMessage()).startsWith("fake exited with code 4 during start").contains("dying");
        });

        assertThat(server.isStarted()).isFalse();
        assertFolderReleased(exact);
        server.dieOnLaunch = false;
        server.start(); // a failed start may be retried
        try {
            assertThat(server.isRunning()).isTrue();
        } finally {
            server.close();
        }
        ProcessHandle.of(server.pid()).ifPresent(h -> {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Another server could lock the folder now. */
    private static void assertFolderReleased(Path folder) {
        try (InstanceDirs.Lease again = InstanceDirs.leaseExactly(folder, true)) {
            assertThat(again.dir()).isEqualTo(folder);
        }
    }

    @Test
    void portsAndPurposesMustMatch() {
        assertThatThrownBy(() -> new FakeServer(options(null, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("fake: 1 ports but 2 purposes");
    }
}
