package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.BuilderChecks;
import dev.reprocess.testkit.internal.ServerOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The options every testkit server builder shares: where its instance folder is, whether it keeps an earlier run's
 * data, how long a start may take and which Java runs it. Mutable and not thread-safe, like any builder;
 * {@link #build()} copies the options, so the server never sees later changes. Not for extension outside the
 * testkit.
 *
 * @param <B> the concrete builder, returned by each setter for chaining
 * @param <S> the server it builds
 */
public abstract class ServerBuilder<B extends ServerBuilder<B, S>, S extends LocalServer> {

    private Path directory;
    private Path baseDirectory;
    private Duration startTimeout;
    private Path javaHome;
    private boolean keepData;

    ServerBuilder(Duration defaultStartTimeout) {
        this.startTimeout = defaultStartTimeout;
    }

    /**
     * Exact instance folder for config, data and log, emptied at start unless {@link #keepData(boolean)}. Default: a
     * free {@code <server>-N} ({@code cassandra-1}, {@code kafka-2}, ...) under the base folder.
     */
    public B directory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
        return self();
    }

    /**
     * Parent folder of instance folders; default the system property {@code reprocess.testkit.dir}, else the variable
     * {@code REPROCESS_TESTKIT_DIR}, else {@code target/reprocess-testkit} under the working directory.
     */
    public B baseDirectory(Path baseDirectory) {
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
        return self();
    }

    /**
     * How long {@code start()} waits for the server to be ready; default the server's {@code DEFAULT_START_TIMEOUT}.
     *
     * @throws IllegalArgumentException when null, zero or negative
     */
    public B startTimeout(Duration timeout) {
        this.startTimeout = BuilderChecks.positive("startTimeout", timeout);
        return self();
    }

    /**
     * Java home to run the server with; it must be a version the server accepts (see its class comment), else
     * {@code start()} fails with {@link BackendException.Reason#JAVA_NOT_FOUND}. Default: found automatically.
     */
    public B javaHome(Path javaHome) {
        this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
        return self();
    }

    /**
     * With {@link #directory(Path)}: keep what an earlier run left in that folder (data, logs) instead of emptying
     * it, so the server restarts on its own data. Default false. Ignored without {@code directory}.
     */
    public B keepData(boolean keepData) {
        this.keepData = keepData;
        return self();
    }

    /** A server with these options, not started yet. */
    public abstract S build();

    /**
     * {@code build().start()}.
     *
     * @throws BackendException when the server cannot be started
     */
    public S start() {
        S server = build();
        server.start();
        return server;
    }

    /** The shared options with this server's heap and ports, frozen. */
    final ServerOptions options(String heap, int... ports) {
        return new ServerOptions(directory, baseDirectory, keepData, startTimeout, javaHome, heap, ports);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
