package dev.reprocess.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The life of one testkit server, the same for every kind: resolve what it runs, choose its ports, lock its instance
 * folder, write its configuration, launch it and wait until its readiness probe answers; restart it on the same ports
 * and data; stop it and release the folder. A subclass supplies what differs: {@link #resolve()},
 * {@link #configure(Path, int[])} and {@link #launch(int, Path, int[])}.
 *
 * <p>Thread-safe: the public methods are synchronized, and the hooks run under that lock, on the thread that starts
 * or restarts the server. {@link #close()} is idempotent. A failed {@link #start()} stops what it launched and
 * releases the folder, so start may be called again.
 */
public abstract class ServerProcess {

    /** How long {@link #restart()} waits for the old process's ports to be free again. */
    static final Duration PORTS_FREED_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How to run a configured server once, and how to tell it is ready.
     *
     * @param env variables to set or, with a null value, remove (see {@link ManagedProcess#start})
     * @param log the file its output goes to
     * @param waitingFor what {@code probe} checks, for the timeout message
     */
    public record Launch(List<String> command, Map<String, String> env, Path log, String waitingFor,
                         ManagedProcess.Probe probe) {
    }

    private final String name;
    private final ServerOptions options;
    private final Duration stopGrace;
    private final String[] portPurposes;
    private InstanceDirs.Lease lease;
    private Path directory;
    private int[] ports;
    private ManagedProcess process;
    private Duration startupTime;
    private int launches;
    private boolean closed;

    /**
     * @param name the server kind in messages and folder names, e.g. "cassandra"
     * @param stopGrace how long a stop waits after SIGTERM before SIGKILL
     * @param portPurposes what each of {@code options.ports()} is for, e.g. "kafka broker port"
     */
    protected ServerProcess(String name, ServerOptions options, Duration stopGrace, String... portPurposes) {
        if (portPurposes.length != options.ports().length) {
            throw new IllegalArgumentException(name + ": " + options.ports().length + " ports but "
                    + portPurposes.length + " purposes");
        }
        this.name = name;
        this.options = options;
        this.stopGrace = stopGrace;
        this.portPurposes = portPurposes.clone();
    }

    /**
     * Finds the Java runtime and the server's artifacts. Runs first, before any port is chosen, since a first run may
     * download for minutes.
     */
    protected abstract void resolve();

    /**
     * Writes the configuration for {@code ports} into the locked instance folder {@code leased} (emptied unless the
     * options keep data), and prepares its storage.
     *
     * @return the folder the server runs in, normally {@code leased}
     */
    protected abstract Path configure(Path leased, int[] ports) throws IOException;

    /**
     * How to run the server for the {@code number}th time: 1 at start, 2 at the first restart, and so on.
     *
     * @param directory what {@link #configure} returned
     */
    protected abstract Launch launch(int number, Path directory, int[] ports);

    /** The options the builder was given. */
    protected final ServerOptions options() {
        return options;
    }

    /** The server kind, e.g. "cassandra". */
    public final String name() {
        return name;
    }

    /**
     * Resolves, configures and launches the server and waits until it is ready.
     *
     * @throws dev.reprocess.testkit.BackendException with a one-line reason (and the log's last lines when the
     *     server died)
     * @throws IllegalStateException when already started or closed
     */
    public final synchronized void start() {
        if (process != null || closed) {
            throw new IllegalStateException(name + " server already " + (closed ? "closed" : "started"));
        }
        resolve();
        ports = Ports.choose(options.ports(), portPurposes);
        lease = options.leaseFolder(name);
        try {
            directory = configure(lease.dir(), ports.clone());
            launchAndAwaitReady();
        } catch (IOException e) {
            release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private void launchAndAwaitReady() {
        launches++;
        Launch launch = launch(launches, directory, ports.clone());
        process = ManagedProcess.start(name, launch.command(), launch.env(), directory, launch.log());
        startupTime = process.awaitReady(options.startTimeout(), launch.waitingFor(), launch.probe());
    }

    /**
     * Stops the server gracefully (SIGTERM, SIGKILL after the stop grace) and launches it again on the same ports and
     * folder, returning once it is ready.
     *
     * @throws IllegalStateException when not started, or closed
     * @throws dev.reprocess.testkit.BackendException when a port stays taken or the new process fails to start
     */
    public final synchronized void restart() {
        stop();
        startAgain();
    }

    /**
     * Stops the server gracefully (SIGTERM, SIGKILL after the stop grace) and waits until its ports are free; its
     * ports and folder stay this server's, for {@link #startAgain()}.
     *
     * @throws IllegalStateException when not started, or closed
     * @throws dev.reprocess.testkit.BackendException when a port stays taken
     */
    public final synchronized void stop() {
        requireStarted();
        if (closed) {
            throw new IllegalStateException(name + " server is closed");
        }
        process.stop(stopGrace);
        for (int i = 0; i < ports.length; i++) {
            if (!Ports.awaitFree(ports[i], PORTS_FREED_TIMEOUT)) {
                Ports.requireFree(ports[i], portPurposes[i] + ", still taken after the " + name + " server stopped");
            }
        }
    }

    /**
     * Launches a server {@link #stop() stopped} (or running: it is stopped first) again on the same ports and folder,
     * returning once it is ready.
     *
     * @throws IllegalStateException when not started, or closed
     * @throws dev.reprocess.testkit.BackendException when the new process fails to start
     */
    public final synchronized void startAgain() {
        requireStarted();
        if (closed) {
            throw new IllegalStateException(name + " server is closed");
        }
        if (process.isAlive()) {
            stop();
        }
        launchAndAwaitReady();
    }

    private void release() {
        if (process != null) {
            process.stop(stopGrace);
            process = null;
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }

    /** The {@code index}th port, in the order of the port purposes. */
    public final synchronized int port(int index) {
        requireStarted();
        return ports[index];
    }

    public final synchronized boolean isStarted() {
        return process != null;
    }

    /** Time from process start to ready, for the latest (re)start. */
    public final synchronized Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    public final synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    /** Resident memory of the process and its descendants in bytes (Linux /proc), or -1 when unknown. */
    public final synchronized long residentMemoryBytes() {
        return process == null ? -1 : process.rssBytes();
    }

    /** The folder the server runs in (config, data, logs). */
    public final synchronized Path directory() {
        requireStarted();
        return directory;
    }

    public final synchronized Path logFile() {
        requireStarted();
        return process.logFile();
    }

    public final synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException(name + " server is not started" + (closed ? " (closed)" : ""));
        }
    }

    /** Stops the server (SIGTERM, SIGKILL after the stop grace) and releases its folder. Idempotent. */
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (process != null) {
            process.stop(stopGrace);
        }
        if (lease != null) {
            lease.close();
        }
    }
}
