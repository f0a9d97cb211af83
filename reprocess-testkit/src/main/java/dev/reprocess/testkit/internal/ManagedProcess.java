package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One server child process: started with its output in a log file, waited on until a probe says it is ready, and
 * stopped by its own handle (SIGTERM, then SIGKILL after a grace period), never by name. Every running instance is
 * stopped by a JVM shutdown hook, and on Linux a tiny watchdog shell stops it too if this JVM is killed outright.
 */
public final class ManagedProcess {

    /** A readiness check; an exception counts as "not ready yet". */
    @FunctionalInterface
    public interface Probe {
        boolean ready() throws Exception;
    }

    public static final int TAIL_LINES = 20;

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Process watchdog;
    private final long startNanos;
    private volatile boolean stopped;

    private ManagedProcess(String name, Process process, Path logFile, Process watchdog, long startNanos) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.watchdog = watchdog;
        this.startNanos = startNanos;
    }

    /**
     * Starts {@code command} with stdout and stderr appended to {@code logFile}.
     *
     * @param env variables to set; a null value removes the variable from the inherited environment, from which
     *     {@code CLASSPATH} is always removed
     */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path workDir,
                                       Path logFile) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // A CLASSPATH inherited from the caller's shell would join the server's own class path (see the README).
        builder.environment().remove("CLASSPATH");
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        long startNanos = System.nanoTime();
        Process process;
        try {
            Files.writeString(logFile, "# " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.OTHER, "could not start " + name + " ("
                    + command.get(0) + "): " + e.getMessage(), e);
        }
        ManagedProcess managed = new ManagedProcess(name, process, logFile, startWatchdog(process.pid()), startNanos);
        Reaper.register(managed);
        return managed;
    }

    /**
     * Polls {@code probe} every 200 ms until it answers true. If the process exits first, or the timeout passes
     * (then the process is stopped), throws a {@link BackendException} whose first line says what happened and
     * whose following lines are the end of the log.
     *
     * @param waitingFor what the probe checks, for the timeout message ("native port 127.0.0.1:9042 to answer CQL")
     */
    public Duration awaitReady(Duration timeout, String waitingFor, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                Reaper.unregister(this);
                stopWatchdog();
                throw exitedDuringStart(name, process.exitValue(), elapsed(), logFile, tail(logFile, TAIL_LINES));
            }
            boolean ready;
            try {
                ready = probe.ready();
            } catch (Exception e) {
                ready = false;
            }
            if (ready) {
                return elapsed();
            }
            if (System.nanoTime() > deadline) {
                stop(Duration.ofSeconds(10));
                throw readinessTimeout(name, timeout, waitingFor, logFile, tail(logFile, TAIL_LINES));
            }
            Sleeper.sleep(Duration.ofMillis(200));
        }
    }

    static BackendException exitedDuringStart(String name, int exitCode, Duration after, Path logFile,
                                              List<String> tail) {
        return new BackendException(BackendException.Reason.EXITED, name + " exited with code " + exitCode
                + " during start, after " + seconds(after) + "; last " + tail.size() + " lines of " + logFile + ":"
                + joinTail(tail));
    }

    static BackendException readinessTimeout(String name, Duration timeout, String waitingFor, Path logFile,
                                             List<String> tail) {
        return new BackendException(BackendException.Reason.TIMEOUT, name + " was not ready within "
                + seconds(timeout) + " (waited for " + waitingFor + ") and was stopped; last " + tail.size()
                + " lines of " + logFile + ":" + joinTail(tail));
    }

    private static String joinTail(List<String> tail) {
        StringBuilder sb = new StringBuilder();
        for (String line : tail) {
            sb.append(System.lineSeparator()).append("    ").append(line);
        }
        return sb.toString();
    }

    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Time since the process was started. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    public String name() {
        return name;
    }

    /**
     * Runs a one-shot tool (a storage format, a Maven resolution) to its end, its output in {@code logFile}.
     *
     * @param what what the tool does, for the error message ("kafka storage format")
     * @throws BackendException with {@code reason} when the tool exits with a non-zero code or runs longer than
     *     {@code timeout} (then it is stopped): the first line names {@code what} and the exit code, the following
     *     lines are the end of the log
     */
    public static void runToCompletion(String name, List<String> command, Path workDir, Path logFile,
                                       Duration timeout, BackendException.Reason reason, String what) {
        ManagedProcess tool = start(name, command, Map.of(), workDir, logFile);
        int exit = tool.waitFor(timeout);
        if (exit != 0) {
            tool.stop(Duration.ofSeconds(5));
            List<String> tail = tail(logFile, TAIL_LINES);
            throw new BackendException(reason, what + (exit < 0 ? " timed out after " + seconds(timeout)
                    : " exited with code " + exit) + "; last " + tail.size() + " lines of " + logFile + ":"
                    + joinTail(tail));
        }
    }

    /** Waits for the process to end by itself, e.g. a one-shot tool; returns its exit code, or -1 on timeout. */
    public int waitFor(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Reaper.unregister(this);
                stopWatchdog();
                return process.exitValue();
            }
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Reason.OTHER, "interrupted while waiting for " + name, e);
        }
    }

    /**
     * Stops the process and any process it started: SIGTERM, then SIGKILL after {@code grace}. Idempotent.
     */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            List<ProcessHandle> descendants = process.descendants().toList();
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (ProcessHandle child : descendants) {
                stopHandle(child, grace);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            stopWatchdog();
            Reaper.unregister(this);
        }
    }

    private static void stopHandle(ProcessHandle handle, Duration grace) throws InterruptedException {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            handle.destroyForcibly();
        }
    }

    private void stopWatchdog() {
        if (watchdog != null && watchdog.isAlive()) {
            watchdog.destroyForcibly();
        }
    }

    /** Resident memory of the process and its descendants in bytes (Linux), or -1 when unknown. */
    public long rssBytes() {
        if (!process.isAlive()) {
            return -1;
        }
        long total = 0;
        boolean any = false;
        for (ProcessHandle h : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
            long rss = rssBytes(h.pid());
            if (rss >= 0) {
                total += rss;
                any = true;
            }
        }
        return any ? total : -1;
    }

    /** VmRSS of one process from /proc, in bytes, or -1. */
    public static long rssBytes(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The last {@code lines} lines of a text file (empty when it cannot be read). */
    public static List<String> tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        Deque<String> last = new ArrayDeque<>();
        try (Stream<String> stream = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            stream.forEach(line -> {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
        return new ArrayList<>(last);
    }

    /**
     * On Linux, a shell that waits for this JVM to die and then SIGTERMs (later SIGKILLs) the child, if the child is
     * still the same process (same start time in /proc/pid/stat). Covers a test JVM killed with SIGKILL.
     */
    private static Process startWatchdog(long childPid) {
        if (!Files.isDirectory(Path.of("/proc/self")) || !Files.isExecutable(Path.of("/bin/sh"))) {
            return null;
        }
        String script = "trap '' INT HUP; P=$1; C=$2; ST=$(cut -d' ' -f22 /proc/$C/stat 2>/dev/null) || exit 0; "
                + "same() { [ \"$(cut -d' ' -f22 /proc/$C/stat 2>/dev/null)\" = \"$ST\" ]; }; "
                + "while kill -0 $P 2>/dev/null; do sleep 1; done; "
                + "same && kill -TERM $C 2>/dev/null; i=0; "
                + "while same && [ $i -lt 30 ]; do sleep 1; i=$((i+1)); done; "
                + "same && kill -KILL $C 2>/dev/null; exit 0";
        try {
            return new ProcessBuilder("/bin/sh", "-c", script, "reprocess-watchdog",
                    Long.toString(ProcessHandle.current().pid()), Long.toString(childPid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
