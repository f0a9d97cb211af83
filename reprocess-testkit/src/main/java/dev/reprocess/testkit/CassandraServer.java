package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.CassandraConfig;
import dev.reprocess.testkit.internal.InstanceDirs;
import dev.reprocess.testkit.internal.JavaRuntimes;
import dev.reprocess.testkit.internal.ManagedProcess;
import dev.reprocess.testkit.internal.Ports;
import dev.reprocess.testkit.internal.Probes;
import dev.reprocess.testkit.internal.ServerArtifacts;
import dev.reprocess.testkit.internal.Unix;
import dev.reprocess.testkit.internal.Versions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A real single-node Cassandra (version from the root pom's {@code cassandra-server.version}) run as a child JVM
 * from {@code org.apache.cassandra:cassandra-all} and its runtime dependencies, on free loopback ports, with its data
 * and log under {@code target/reprocess-testkit/cassandra-N} (or a folder you choose).
 *
 * <pre>{@code
 * try (CassandraServer cassandra = CassandraServer.builder().start()) {
 *     CqlSession session = CqlSession.builder().addContactPoint(cassandra.contactPoint())
 *             .withLocalDatacenter(cassandra.localDatacenter()).build();
 * }
 * }</pre>
 *
 * <p>Needs Java 11 or 17 for the server (found automatically, or {@code REPROCESS_CASSANDRA_JAVA_HOME}). As root,
 * the server is started under {@code setpriv} without CAP_IPC_LOCK so that it does not lock its whole heap in memory.
 * {@link #close()} sends SIGTERM to exactly the process it started, then SIGKILL after 20 s; a JVM shutdown hook
 * does the same for servers still running at exit. Thread-safe; {@code close()} is idempotent.
 */
public final class CassandraServer implements CassandraBackend, AutoCloseable {

    /** Datacenter name of the single node (SimpleSnitch). */
    public static final String DATACENTER = "datacenter1";
    public static final String DEFAULT_MAX_HEAP = "1g";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Builder options;
    private InstanceDirs.Lease lease;
    private ManagedProcess process;
    private int nativePort;
    private int storagePort;
    private Duration startupTime;
    private boolean closed;

    private CassandraServer(Builder options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder {
        private Path directory;
        private Path baseDirectory;
        private int nativePort;
        private int storagePort;
        private String maxHeap = DEFAULT_MAX_HEAP;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Path javaHome;
        private boolean keepData;

        private Builder() {
        }

        /** Exact folder for config, data and log (emptied at start). Default: a free {@code cassandra-N} under the base folder. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Parent folder of instance folders; default {@code reprocess.testkit.dir}, {@code REPROCESS_TESTKIT_DIR} or {@code target/reprocess-testkit}. */
        public Builder baseDirectory(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
            return this;
        }

        /** CQL port; default 0 = a free port. */
        public Builder nativePort(int port) {
            this.nativePort = checkPort("nativePort", port);
            return this;
        }

        /** Internode port; default 0 = a free port. */
        public Builder storagePort(int port) {
            this.storagePort = checkPort("storagePort", port);
            return this;
        }

        /** {@code -Xmx} value, e.g. "512m" or "1g"; default 1g. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = checkHeap("maxHeap", maxHeap);
            return this;
        }

        /** How long to wait for the CQL port to answer; default 3 minutes. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = checkTimeout("startTimeout", timeout);
            return this;
        }

        /** Java 11 or 17 home for the server; default: found automatically. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
            return this;
        }

        /**
         * With {@link #directory(Path)}: keep what an earlier run left in that folder (data, logs) instead of emptying
         * it, so the server restarts on its own data. Default false. Ignored without {@code directory}.
         */
        public Builder keepData(boolean keepData) {
            this.keepData = keepData;
            return this;
        }

        public CassandraServer build() {
            return new CassandraServer(copy());
        }

        /** {@code build().start()}. */
        public CassandraServer start() {
            return build().start();
        }

        private Builder copy() {
            Builder b = new Builder();
            b.directory = directory;
            b.baseDirectory = baseDirectory;
            b.nativePort = nativePort;
            b.storagePort = storagePort;
            b.maxHeap = maxHeap;
            b.startTimeout = startTimeout;
            b.javaHome = javaHome;
            b.keepData = keepData;
            return b;
        }
    }

    /**
     * Resolves the jars (first time only), writes the config, starts the server and waits until its CQL port answers.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died)
     * @throws IllegalStateException when already started or closed
     */
    public synchronized CassandraServer start() {
        if (process != null || closed) {
            throw new IllegalStateException("cassandra server already " + (closed ? "closed" : "started"));
        }
        String version = Versions.cassandra();
        JavaRuntimes.JavaHome java = JavaRuntimes.system().find(JavaRuntimes.cassandra(version), options.javaHome);
        List<Path> classpath = ServerArtifacts.system().resolve("cassandra-" + version,
                List.of(ServerArtifacts.Coordinate.jar("org.apache.cassandra", "cassandra-all", version)));
        Path jamm = classpath.stream().filter(p -> p.getFileName().toString().startsWith("jamm-")).findFirst()
                .orElseThrow(() -> new BackendException(BackendException.Reason.ARTIFACTS,
                        "no jamm jar among cassandra-all " + version + "'s dependencies"));
        int[] ports = Ports.choose(new int[] {options.nativePort, options.storagePort},
                "cassandra native transport port", "cassandra storage port");
        nativePort = ports[0];
        storagePort = ports[1];
        lease = options.directory != null ? InstanceDirs.leaseExactly(options.directory.toAbsolutePath(), options.keepData)
                : InstanceDirs.leaseUnder(options.baseDirectory != null ? options.baseDirectory.toAbsolutePath()
                : InstanceDirs.defaultBase(System.getenv()), "cassandra");
        try {
            CassandraConfig.Layout layout = new CassandraConfig.Layout(lease.dir());
            for (Path folder : layout.folders()) {
                Files.createDirectories(folder);
            }
            Files.writeString(layout.yaml(), CassandraConfig.yaml(layout, nativePort, storagePort));
            Files.writeString(layout.logback(), CassandraConfig.logback());
            List<String> command = new ArrayList<>();
            if (Unix.isRoot()) {
                // Root may mlockall() the whole heap: +1 GB resident and seconds slower. Drop that capability.
                Unix.tool("setpriv").ifPresent(setpriv -> command.addAll(List.of(setpriv.toString(),
                        "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--")));
            }
            command.add(java.java().toString());
            command.addAll(CassandraConfig.jvmArguments(layout, nativePort, storagePort, options.maxHeap, jamm,
                    classpath));
            process = ManagedProcess.start("cassandra", command, Map.of(), lease.dir(),
                    layout.log());
            startupTime = process.awaitReady(options.startTimeout, "the CQL port " + Ports.HOST + ":" + nativePort
                    + " to answer an OPTIONS frame", () -> Probes.cqlSupported(Ports.HOST, nativePort));
            return this;
        } catch (IOException e) {
            release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private void release() {
        if (process != null) {
            process.stop(STOP_GRACE);
            process = null;
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }

    @Override
    public InetSocketAddress contactPoint() {
        requireStarted();
        return new InetSocketAddress(Ports.HOST, nativePort);
    }

    @Override
    public String localDatacenter() {
        return DATACENTER;
    }

    public synchronized int nativePort() {
        requireStarted();
        return nativePort;
    }

    /** Time from process start to the first SUPPORTED answer. */
    public synchronized Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    /** Process id of the server JVM. */
    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    /** Resident memory of the server process in bytes (Linux /proc), or -1 when unknown. */
    public synchronized long residentMemoryBytes() {
        return process == null ? -1 : process.rssBytes();
    }

    /** The instance folder (config, data, logs). */
    public synchronized Path directory() {
        requireStarted();
        return lease.dir();
    }

    /** The server's log file. */
    public synchronized Path logFile() {
        requireStarted();
        return process.logFile();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("cassandra server is not started" + (closed ? " (closed)" : ""));
        }
    }

    /** Stops the server (SIGTERM, SIGKILL after 20 s) and releases its folder; data stays until the next start. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (process != null) {
            process.stop(STOP_GRACE);
        }
        if (lease != null) {
            lease.close();
        }
    }

    @Override
    public String toString() {
        return process == null ? "CassandraServer[not started]" : "CassandraServer[" + Ports.HOST + ":" + nativePort + "]";
    }

    static int checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0 (any free port) or 1..65535, was " + port);
        }
        return port;
    }

    static String checkHeap(String name, String heap) {
        if (heap == null || !heap.matches("\\d+[kKmMgG]")) {
            throw new IllegalArgumentException(name + " must look like 512m or 1g, was " + heap);
        }
        return heap;
    }

    static Duration checkTimeout(String name, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + timeout);
        }
        return timeout;
    }
}
