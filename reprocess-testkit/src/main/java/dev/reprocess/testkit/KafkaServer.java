package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.InstanceDirs;
import dev.reprocess.testkit.internal.JavaRuntimes;
import dev.reprocess.testkit.internal.KafkaConfig;
import dev.reprocess.testkit.internal.ManagedProcess;
import dev.reprocess.testkit.internal.Ports;
import dev.reprocess.testkit.internal.Probes;
import dev.reprocess.testkit.internal.ServerArtifacts;
import dev.reprocess.testkit.internal.Versions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A real single-node Kafka (version from the root pom's {@code kafka-server.version}) in KRaft combined mode, run as a
 * child JVM from {@code org.apache.kafka:kafka_2.13} and its runtime dependencies plus slf4j-simple, on free loopback
 * ports, with data and log under {@code target/reprocess-testkit/kafka-N} (or a folder you choose). The storage is
 * formatted once ({@code kafka.tools.StorageTool format --standalone}), then {@code kafka.Kafka} runs.
 *
 * <p>Ready when the broker answers an ApiVersions request and has logged "Kafka Server started". After creating a
 * topic, wait until every partition answers a ListOffsets before producing: Kafka 4.3 can drop records from an
 * idempotent producer that starts right after topic creation. Thread-safe; {@code close()} is idempotent.
 */
public final class KafkaServer implements KafkaBackend, AutoCloseable {

    public static final String DEFAULT_MAX_HEAP = "512m";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final String STARTED_LINE = "Kafka Server started";

    private final Builder options;
    private InstanceDirs.Lease lease;
    private KafkaConfig.Layout layout;
    private List<String> javaAndArgs;
    private ManagedProcess process;
    private int port;
    private int controllerPort;
    private Duration startupTime;
    private int starts;
    private boolean closed;

    private KafkaServer(Builder options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder {
        private Path directory;
        private Path baseDirectory;
        private int port;
        private int controllerPort;
        private String maxHeap = DEFAULT_MAX_HEAP;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Path javaHome;
        private boolean keepData;

        private Builder() {
        }

        /** Exact folder for config, data and log (emptied at start). Default: a free {@code kafka-N} under the base folder. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Parent folder of instance folders; default {@code reprocess.testkit.dir}, {@code REPROCESS_TESTKIT_DIR} or {@code target/reprocess-testkit}. */
        public Builder baseDirectory(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
            return this;
        }

        /** Broker (PLAINTEXT) port; default 0 = a free port. */
        public Builder port(int port) {
            this.port = CassandraServer.checkPort("port", port);
            return this;
        }

        /** Controller port; default 0 = a free port. */
        public Builder controllerPort(int port) {
            this.controllerPort = CassandraServer.checkPort("controllerPort", port);
            return this;
        }

        /** {@code -Xmx} value; default 512m. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = CassandraServer.checkHeap("maxHeap", maxHeap);
            return this;
        }

        /** How long to wait for the broker; default 2 minutes. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = CassandraServer.checkTimeout("startTimeout", timeout);
            return this;
        }

        /** Java 17+ home for the server; default: the running JVM when it is 17+, else found automatically. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
            return this;
        }

        /**
         * With {@link #directory(Path)}: keep what an earlier run left in that folder (data, logs) instead of emptying
         * it, so the server restarts on its own data (the storage is formatted only when it holds no {@code meta.properties} yet). Default false. Ignored without {@code directory}.
         */
        public Builder keepData(boolean keepData) {
            this.keepData = keepData;
            return this;
        }

        public KafkaServer build() {
            Builder b = new Builder();
            b.directory = directory;
            b.baseDirectory = baseDirectory;
            b.port = port;
            b.controllerPort = controllerPort;
            b.maxHeap = maxHeap;
            b.startTimeout = startTimeout;
            b.javaHome = javaHome;
            b.keepData = keepData;
            return new KafkaServer(b);
        }

        /** {@code build().start()}. */
        public KafkaServer start() {
            return build().start();
        }
    }

    /**
     * Resolves the jars (first time only), formats the storage, starts the broker and waits until it is ready.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died)
     * @throws IllegalStateException when already started or closed
     */
    public synchronized KafkaServer start() {
        if (process != null || closed) {
            throw new IllegalStateException("kafka server already " + (closed ? "closed" : "started"));
        }
        String version = Versions.kafka();
        JavaRuntimes.JavaHome java = JavaRuntimes.system().find(JavaRuntimes.kafka(version), options.javaHome);
        List<Path> classpath = ServerArtifacts.system().resolve("kafka-" + version, List.of(
                ServerArtifacts.Coordinate.jar("org.apache.kafka", "kafka_2.13", version),
                // Kafka's own slf4j-api is 1.7; pin 2.x with its simple binding so the server logs at all.
                ServerArtifacts.Coordinate.jar("org.slf4j", "slf4j-api", Versions.slf4j()),
                ServerArtifacts.Coordinate.jar("org.slf4j", "slf4j-simple", Versions.slf4j())));
        int[] ports = Ports.choose(new int[] {options.port, options.controllerPort}, "kafka broker port",
                "kafka controller port");
        port = ports[0];
        controllerPort = ports[1];
        lease = options.directory != null ? InstanceDirs.leaseExactly(options.directory.toAbsolutePath(), options.keepData)
                : InstanceDirs.leaseUnder(options.baseDirectory != null ? options.baseDirectory.toAbsolutePath()
                : InstanceDirs.defaultBase(System.getenv()), "kafka");
        try {
            layout = new KafkaConfig.Layout(lease.dir());
            Files.createDirectories(layout.data());
            Files.createDirectories(layout.logs());
            Files.writeString(layout.properties(), KafkaConfig.properties(layout, port, controllerPort));
            javaAndArgs = new ArrayList<>();
            javaAndArgs.add(java.java().toString());
            javaAndArgs.addAll(KafkaConfig.jvmArguments(layout, options.maxHeap, classpath));
            if (!(options.keepData && options.directory != null
                    && Files.exists(layout.data().resolve("meta.properties")))) {
                format();
            }
            launch();
            return this;
        } catch (IOException e) {
            release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private void format() {
        List<String> command = new ArrayList<>(javaAndArgs);
        command.addAll(KafkaConfig.formatArguments(layout, KafkaConfig.randomClusterId()));
        Path log = layout.logs().resolve("format.log");
        ManagedProcess tool = ManagedProcess.start("kafka-storage-format", command, Map.of(), lease.dir(), log);
        int exit = tool.waitFor(Duration.ofMinutes(2));
        if (exit != 0) {
            tool.stop(Duration.ofSeconds(5));
            List<String> tail = ManagedProcess.tail(log, ManagedProcess.TAIL_LINES);
            throw new BackendException(BackendException.Reason.EXITED, "kafka storage format "
                    + (exit < 0 ? "timed out" : "exited with code " + exit) + "; last " + tail.size() + " lines of "
                    + log + ":" + System.lineSeparator() + "    " + String.join(System.lineSeparator() + "    ", tail));
        }
    }

    private void launch() {
        starts++;
        Path log = starts == 1 ? layout.log() : layout.logs().resolve("kafka-" + starts + ".log");
        List<String> command = new ArrayList<>(javaAndArgs);
        command.addAll(KafkaConfig.serverArguments(layout));
        process = ManagedProcess.start("kafka", command, Map.of(), lease.dir(), log);
        ManagedProcess started = process;
        startupTime = process.awaitReady(options.startTimeout, "the broker on " + Ports.HOST + ":" + port
                + " to answer ApiVersions and log '" + STARTED_LINE + "'",
                () -> Probes.kafkaApiVersions(Ports.HOST, port) && logContains(started.logFile(), STARTED_LINE));
    }

    private static boolean logContains(Path log, String text) throws IOException {
        try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(l -> l.contains(text));
        }
    }

    /**
     * Stops the broker with SIGTERM (a SIGKILL would make the restarted broker wait about 10 s for its old
     * registration to expire) and starts it again on the same ports and data.
     */
    @Override
    public synchronized void restart() {
        requireStarted();
        if (closed) {
            throw new IllegalStateException("kafka server is closed");
        }
        process.stop(STOP_GRACE);
        for (int p : new int[] {port, controllerPort}) {
            if (!Ports.awaitFree(p, Duration.ofSeconds(30))) {
                Ports.requireFree(p, "kafka port, still taken after the broker stopped");
            }
        }
        launch();
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
    public synchronized String bootstrapServers() {
        requireStarted();
        return Ports.HOST + ":" + port;
    }

    public synchronized int port() {
        requireStarted();
        return port;
    }

    /** Time from process start to ready, for the latest (re)start. */
    public synchronized Duration startupTime() {
        requireStarted();
        return startupTime;
    }

    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    /** Resident memory of the server process in bytes (Linux /proc), or -1 when unknown. */
    public synchronized long residentMemoryBytes() {
        return process == null ? -1 : process.rssBytes();
    }

    public synchronized Path directory() {
        requireStarted();
        return lease.dir();
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
            throw new IllegalStateException("kafka server is not started" + (closed ? " (closed)" : ""));
        }
    }

    /** Stops the broker (SIGTERM, SIGKILL after 30 s) and releases its folder. */
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
        return process == null ? "KafkaServer[not started]" : "KafkaServer[" + Ports.HOST + ":" + port + "]";
    }
}
