package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.ElasticsearchConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A real single-node Elasticsearch (version from the root pom's {@code elasticsearch-server.version}), unpacked from
 * {@code org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip} and run with
 * {@code bin/elasticsearch} on free loopback ports, security off, with data and logs under
 * {@code target/reprocess-testkit/elasticsearch-N} (or a folder you choose).
 *
 * <p>Needs Java 21+ (set {@code REPROCESS_ES_JAVA_HOME} or {@code ES_JAVA_HOME}, or let the testkit find one in
 * {@code JAVA_HOME} or {@code /usr/lib/jvm}). Elasticsearch refuses to run as root: as root the testkit creates the
 * system user {@code reprocess-es} (or {@code REPROCESS_ES_USER}) and runs the server as that user. When that user
 * cannot reach the instance folder (for example a checkout under {@code /root}, mode 700), config, data and logs go
 * to {@code /var/tmp/reprocess-testkit/elasticsearch-<hash>} instead, and a {@code WHERE.txt} in the usual folder
 * says so; likewise the unpacked distribution goes to {@code /var/tmp/reprocess-testkit/dist}.
 *
 * <p>It is a minimal build: no Painless, {@code _reindex}, {@code _update_by_query}, ingest processors or
 * analysis-common; {@code GET /} answers 405. Search, mappings, bulk, point in time, {@code search_after} and slices
 * work. Create test indices with 0 replicas. Thread-safe; {@code close()} is idempotent.
 */
public final class ElasticsearchServer implements ElasticsearchBackend, AutoCloseable {

    public static final String DEFAULT_HEAP = "512m";
    public static final String DEFAULT_USER = "reprocess-es";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(4);
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** Where files go that the Elasticsearch user must reach when the usual folders are closed to it. */
    public static final Path SHARED_FALLBACK = Path.of("/var/tmp/reprocess-testkit");

    private final Builder options;
    private InstanceDirs.Lease lease;
    private Path instanceDir;
    private ManagedProcess process;
    private int httpPort;
    private Duration startupTime;
    private boolean closed;

    private ElasticsearchServer(Builder options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder {
        private Path directory;
        private Path baseDirectory;
        private int httpPort;
        private int transportPort;
        private String heap = DEFAULT_HEAP;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Path javaHome;
        private boolean keepData;
        private String user;

        private Builder() {
        }

        /** Exact instance folder (emptied at start). Default: a free {@code elasticsearch-N} under the base folder. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Parent folder of instance folders; default {@code reprocess.testkit.dir}, {@code REPROCESS_TESTKIT_DIR} or {@code target/reprocess-testkit}. */
        public Builder baseDirectory(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
            return this;
        }

        /** HTTP port; default 0 = a free port. */
        public Builder httpPort(int port) {
            this.httpPort = CassandraServer.checkPort("httpPort", port);
            return this;
        }

        /** Transport port; default 0 = a free port. */
        public Builder transportPort(int port) {
            this.transportPort = CassandraServer.checkPort("transportPort", port);
            return this;
        }

        /** {@code -Xms} and {@code -Xmx} value; default 512m. */
        public Builder heap(String heap) {
            this.heap = CassandraServer.checkHeap("heap", heap);
            return this;
        }

        /** How long to wait for health yellow; default 4 minutes. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = CassandraServer.checkTimeout("startTimeout", timeout);
            return this;
        }

        /** Java 21+ home for the server; default: found automatically. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
            return this;
        }

        /** User to run as when this JVM is root; default {@code REPROCESS_ES_USER} or {@code reprocess-es}. */
        public Builder user(String user) {
            if (user == null || !user.matches("[a-z_][a-z0-9_-]{0,30}")) {
                throw new IllegalArgumentException("user must be a valid Unix user name, was " + user);
            }
            this.user = user;
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

        public ElasticsearchServer build() {
            Builder b = new Builder();
            b.directory = directory;
            b.baseDirectory = baseDirectory;
            b.httpPort = httpPort;
            b.transportPort = transportPort;
            b.heap = heap;
            b.startTimeout = startTimeout;
            b.javaHome = javaHome;
            b.user = user;
            b.keepData = keepData;
            return new ElasticsearchServer(b);
        }

        /** {@code build().start()}. */
        public ElasticsearchServer start() {
            return build().start();
        }
    }

    /**
     * Resolves and unpacks the distribution (first time only), writes the config, starts the node and waits for
     * cluster health yellow.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died)
     * @throws IllegalStateException when already started or closed
     */
    public synchronized ElasticsearchServer start() {
        if (process != null || closed) {
            throw new IllegalStateException("elasticsearch server already " + (closed ? "closed" : "started"));
        }
        String version = Versions.elasticsearch();
        JavaRuntimes.JavaHome java = JavaRuntimes.system().find(JavaRuntimes.elasticsearch(version), options.javaHome);
        ServerArtifacts artifacts = ServerArtifacts.system();
        Path zip = artifacts.resolve("elasticsearch-" + version, List.of(new ServerArtifacts.Coordinate(
                        "org.elasticsearch.distribution.integ-test-zip", "elasticsearch", version, "zip")))
                .stream().filter(p -> p.toString().endsWith(".zip")).findFirst()
                .orElseThrow(() -> new BackendException(BackendException.Reason.ARTIFACTS,
                        "Maven resolved no zip for the Elasticsearch " + version + " distribution"));
        Unix.User user = null;
        if (Unix.isRoot()) {
            String name = options.user != null ? options.user
                    : Objects.requireNonNullElse(System.getenv("REPROCESS_ES_USER"), DEFAULT_USER);
            user = Unix.ensureUser(name, SHARED_FALLBACK.resolve("locks"));
        }
        Path distParent = artifacts.cacheDir();
        if (user != null && !Unix.canTraverse(user, distParent)) {
            distParent = SHARED_FALLBACK.resolve("dist");
        }
        Path distribution = artifacts.unpackOnce(zip, distParent, "elasticsearch-" + version);

        int[] ports = Ports.choose(new int[] {options.httpPort, options.transportPort}, "elasticsearch http port",
                "elasticsearch transport port");
        httpPort = ports[0];
        int transportPort = ports[1];
        lease = options.directory != null ? InstanceDirs.leaseExactly(options.directory.toAbsolutePath(), options.keepData)
                : InstanceDirs.leaseUnder(options.baseDirectory != null ? options.baseDirectory.toAbsolutePath()
                : InstanceDirs.defaultBase(System.getenv()), "elasticsearch");
        try {
            instanceDir = lease.dir();
            if (user != null && !Unix.canTraverse(user, instanceDir)) {
                instanceDir = SHARED_FALLBACK.resolve("elasticsearch-"
                        + Integer.toHexString(lease.dir().toString().hashCode()));
                if (Files.exists(instanceDir) && !(options.keepData && options.directory != null)) {
                    deleteRecursively(instanceDir);
                }
                Files.createDirectories(instanceDir);
                Files.writeString(lease.dir().resolve("WHERE.txt"), "Elasticsearch runs as user " + user.name()
                        + ", which cannot reach this folder; its config, data and logs are in " + instanceDir
                        + System.lineSeparator());
            }
            ElasticsearchConfig.Layout layout = new ElasticsearchConfig.Layout(instanceDir);
            copyFolder(distribution.resolve("config"), layout.config());
            Files.createDirectories(layout.data());
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.tmp());
            Files.writeString(layout.config().resolve("elasticsearch.yml"),
                    ElasticsearchConfig.yaml(layout, distribution, httpPort, transportPort));
            List<String> command = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            env.put("ES_JAVA_HOME", java.home().toString());
            env.put("ES_PATH_CONF", layout.config().toString());
            env.put("ES_JAVA_OPTS", "-Xms" + options.heap + " -Xmx" + options.heap);
            env.put("ES_TMPDIR", layout.tmp().toString());
            env.put("JAVA_HOME", null);
            env.put("JAVA_TOOL_OPTIONS", null);
            if (user != null) {
                Unix.chownRecursively(instanceDir, user);
                env.put("HOME", instanceDir.toString());
                env.put("USER", user.name());
                env.put("LOGNAME", user.name());
                Path setpriv = Unix.tool("setpriv").orElse(null);
                if (setpriv != null) {
                    command.addAll(List.of(setpriv.toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(),
                            "--clear-groups", "--"));
                } else {
                    Path runuser = Unix.tool("runuser").orElseThrow(() -> new BackendException(
                            BackendException.Reason.OTHER, "Elasticsearch refuses to run as root and neither"
                            + " setpriv nor runuser is installed to switch to user " + DEFAULT_USER
                            + ": install util-linux or run as a normal user"));
                    command.addAll(List.of(runuser.toString(), "-u", user.name(), "--"));
                }
            }
            command.add(distribution.resolve("bin").resolve("elasticsearch").toString());
            command.add("-p");
            command.add(layout.pidFile().toString());
            // The launcher runs as root and appends to the log before switching user, so it may be root's file.
            process = ManagedProcess.start("elasticsearch", command, env, instanceDir, layout.log());
            String url = url();
            startupTime = process.awaitReady(options.startTimeout, "cluster health yellow at " + url,
                    () -> Probes.elasticsearchHealthy(url));
            return this;
        } catch (IOException e) {
            release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
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
    public synchronized String url() {
        return "http://" + host() + ":" + port();
    }

    @Override
    public String host() {
        return Ports.HOST;
    }

    @Override
    public synchronized int port() {
        if (httpPort == 0) {
            throw new IllegalStateException("elasticsearch server is not started");
        }
        return httpPort;
    }

    /** Time from process start to health yellow. */
    public synchronized Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    /** Process id of the launcher this server started (the server JVM is its child). */
    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    /** Resident memory of the launcher and server JVMs together, in bytes (Linux /proc), or -1 when unknown. */
    public synchronized long residentMemoryBytes() {
        return process == null ? -1 : process.rssBytes();
    }

    /** The folder that holds config, data and logs (may be the /var/tmp fallback, see the class comment). */
    public synchronized Path directory() {
        requireStarted();
        return instanceDir;
    }

    public synchronized Path logFile() {
        requireStarted();
        return process.logFile();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("elasticsearch server is not started" + (closed ? " (closed)" : ""));
        }
    }

    /** Stops the node (SIGTERM to the launcher, which stops the server JVM; SIGKILL after 30 s). */
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
        return process == null ? "ElasticsearchServer[not started]" : "ElasticsearchServer[" + url() + "]";
    }
}
