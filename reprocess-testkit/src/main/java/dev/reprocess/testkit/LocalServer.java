package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.ServerProcess;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What every server the testkit runs on this machine offers: {@link CassandraServer}, {@link KafkaServer} and
 * {@link ElasticsearchServer}. Each is a child process on free loopback ports (or the ports you chose), with its
 * config, data and log in an instance folder it locks while it runs. Create one with the server's {@code builder()}.
 *
 * <p>Thread-safe. {@link #close()} sends SIGTERM to exactly the process the server started (and its children), then
 * SIGKILL after the server's {@code STOP_GRACE}; a JVM shutdown hook does the same for servers still running at exit.
 * {@code close()} is idempotent. Not for extension outside the testkit.
 */
public abstract class LocalServer implements AutoCloseable {

    private final ServerProcess process;

    LocalServer(ServerProcess process) {
        this.process = process;
    }

    final ServerProcess process() {
        return process;
    }

    /**
     * Resolves the server's artifacts (downloaded the first time only), writes its config into its instance folder,
     * starts it and waits until it is ready; each server says what "ready" means.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died); the folder is
     *     released and nothing is left running
     * @throws IllegalStateException when already started or closed
     */
    public LocalServer start() {
        process.start();
        return this;
    }

    /**
     * Where clients connect: {@code host:port}, or the URL for Elasticsearch.
     *
     * @throws IllegalStateException when not started
     */
    abstract String address();

    /**
     * Time from process start to ready, for the latest (re)start.
     *
     * @throws IllegalStateException when not started
     */
    public Duration startupTime() {
        return process.startupTime();
    }

    /**
     * Process id of the process this server started: the server JVM, or for Elasticsearch its launcher, whose child
     * is the server JVM.
     *
     * @throws IllegalStateException when not started
     */
    public long pid() {
        return process.pid();
    }

    /** Resident memory of the started process and its children together, in bytes (Linux /proc), or -1 when unknown. */
    public long residentMemoryBytes() {
        return process.residentMemoryBytes();
    }

    /**
     * The folder that holds the server's config, data and logs (for Elasticsearch run as another user, possibly the
     * fallback under {@code /var/tmp}, see {@link ElasticsearchServer}).
     *
     * @throws IllegalStateException when not started
     */
    public Path directory() {
        return process.directory();
    }

    /**
     * The file the server's output goes to, for the latest (re)start.
     *
     * @throws IllegalStateException when not started
     */
    public Path logFile() {
        return process.logFile();
    }

    /**
     * Stops the server gracefully, as in an outage, keeping its ports and data for {@link #startAgain()}; clients
     * see it unreachable until then. Blocks until its ports are free.
     *
     * @throws IllegalStateException when not started, or closed
     */
    public void stop() {
        process.stop();
    }

    /**
     * Starts a {@link #stop() stopped} server again on the same ports and data, returning once it is ready.
     *
     * @throws IllegalStateException when not started, or closed
     */
    public void startAgain() {
        process.startAgain();
    }

    /** True while the started process is alive. */
    public boolean isRunning() {
        return process.isRunning();
    }

    /**
     * Stops the server (SIGTERM, then SIGKILL after {@code STOP_GRACE}) and releases its instance folder; the data
     * stays there until the next start in that folder. Idempotent.
     */
    @Override
    public void close() {
        process.close();
    }

    /** {@code CassandraServer[127.0.0.1:40123]}, or {@code CassandraServer[not started]}. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (process.isStarted() ? address() : "not started") + "]";
    }
}
