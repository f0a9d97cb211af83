package dev.reprocess.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a {@code main} class from the test's own classpath, for tests where several processes
 * play replicas of a service: start it, wait for a line in its output, freeze it ({@code SIGSTOP}), resume it
 * ({@code SIGCONT}), kill it ({@code SIGKILL}), wait for its exit.
 *
 * <p>The child runs the same {@code java} as this JVM with {@code -cp} this JVM's {@code java.class.path}; its
 * standard output and error both go to the log file given at start, which {@link #log()} reads. Signals are sent
 * with {@code kill}, so this class needs a Unix system.
 *
 * <p>Thread-safe. {@link #close()} kills the child if it is still running (a test's {@code @AfterEach} should
 * close every child it started) and is idempotent.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(50);

    private final Process process;
    private final Path logFile;

    private ChildJvm(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code mainClass} in a new JVM.
     *
     * @param mainClass a class with a {@code public static void main(String[])} on this JVM's classpath
     * @param jvmOptions options placed before {@code -cp}, for example {@code List.of("-Xmx256m")}; may be empty
     * @param args the program's arguments
     * @param logFile where the child's standard output and error go (created or truncated)
     * @return the running child
     * @throws UncheckedIOException when the process cannot be started
     */
    public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, List<String> args, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile()).start();
            return new ChildJvm(process, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass.getName() + " in a child JVM", e);
        }
    }

    /** The child's process, for its pid and liveness. */
    public Process process() {
        return process;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** The file the child's output goes to. */
    public Path logFile() {
        return logFile;
    }

    /** Everything the child has written so far (standard output and error, UTF-8). */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
    }

    /**
     * Waits until a line of the child's output contains {@code text}, polling its log every 50 ms.
     *
     * @return the first such line
     * @throws AssertionError when the child ended without writing it, or {@code timeout} passed; the message holds
     *     the child's log
     */
    public String awaitLine(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ended = !process.isAlive(); // read the log after: a last line written before exit counts
            Optional<String> line = log().lines().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (ended) {
                throw new AssertionError("child " + pid() + " ended (exit " + process.exitValue()
                        + ") without writing '" + text + "':\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + pid() + " did not write '" + text + "' within " + timeout
                        + ":\n" + log());
            }
            pause();
        }
    }

    /**
     * Waits for the child to end.
     *
     * @return its exit code
     * @throws AssertionError when it is still running after {@code timeout}; the message holds its log
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + pid() + " still running after " + timeout + ":\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for child " + pid(), e);
        }
    }

    /** Kills the child with {@code SIGKILL} (no shutdown hook runs) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for child " + pid() + " to die", e);
        }
    }

    /** Freezes the child with {@code SIGSTOP}: it keeps its sockets and files but runs no code. */
    public void freeze() {
        signal("STOP");
    }

    /** Resumes a {@link #freeze() frozen} child with {@code SIGCONT}. */
    public void resume() {
        signal("CONT");
    }

    /**
     * The complete lines of a file a child appends to, in order; a last line still being written (no newline yet)
     * is left out. An empty list when the file is empty.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static List<String> completeLines(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Kills the child with {@code SIGKILL} if it is still running (frozen or not). Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name + " " + pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name + " to " + pid(), e);
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a child's output", e);
        }
    }
}
