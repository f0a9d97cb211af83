package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.BuilderChecks;
import dev.reprocess.testkit.internal.CassandraProcess;
import dev.reprocess.testkit.internal.Ports;
import dev.reprocess.testkit.internal.ServerOptions;

import java.net.InetSocketAddress;
import java.time.Duration;

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
 * <p>Needs Java 11 or 17 for the server: {@code javaHome(...)}, else {@code REPROCESS_CASSANDRA_JAVA_HOME}, else the
 * newest of those two found among the running JVM, {@code JAVA_HOME} and the usual install folders. As root, the
 * server is started under {@code setpriv} without CAP_IPC_LOCK so that it does not lock its whole heap in memory.
 * Ready when the CQL port answers an OPTIONS frame. {@link #close()} sends SIGTERM, then SIGKILL after
 * {@link #STOP_GRACE} (20 s). Thread-safe; {@code close()} is idempotent.
 */
public final class CassandraServer extends LocalServer implements CassandraBackend {

    /** Datacenter name of the single node (SimpleSnitch). */
    public static final String DATACENTER = "datacenter1";
    public static final String DEFAULT_MAX_HEAP = "1g";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
    /** How long {@link #close()} waits after SIGTERM before SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private CassandraServer(ServerOptions options) {
        super(new CassandraProcess(options, STOP_GRACE));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder extends ServerBuilder<Builder, CassandraServer> {
        private int nativePort;
        private int storagePort;
        private String maxHeap = DEFAULT_MAX_HEAP;

        private Builder() {
            super(DEFAULT_START_TIMEOUT);
        }

        /** CQL port; default 0 = a free port. */
        public Builder nativePort(int port) {
            this.nativePort = BuilderChecks.port("nativePort", port);
            return this;
        }

        /** Internode port; default 0 = a free port. */
        public Builder storagePort(int port) {
            this.storagePort = BuilderChecks.port("storagePort", port);
            return this;
        }

        /** {@code -Xmx} value, e.g. "512m" or "1g"; default 1g. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = BuilderChecks.heap("maxHeap", maxHeap);
            return this;
        }

        @Override
        public CassandraServer build() {
            return new CassandraServer(options(maxHeap, nativePort, storagePort));
        }
    }

    /**
     * Resolves the jars (first time only), writes the config, starts the server and waits until its CQL port answers.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died)
     * @throws IllegalStateException when already started or closed
     */
    @Override
    public CassandraServer start() {
        super.start();
        return this;
    }

    @Override
    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(Ports.HOST, nativePort());
    }

    @Override
    public String localDatacenter() {
        return DATACENTER;
    }

    /**
     * The CQL port.
     *
     * @throws IllegalStateException when not started
     */
    public int nativePort() {
        return process().port(0);
    }

    @Override
    String address() {
        return Ports.HOST + ":" + nativePort();
    }
}
