package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.BuilderChecks;
import dev.reprocess.testkit.internal.ElasticsearchProcess;
import dev.reprocess.testkit.internal.Ports;
import dev.reprocess.testkit.internal.ServerOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A real single-node Elasticsearch (version from the root pom's {@code elasticsearch-server.version}), unpacked from
 * {@code org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip} and run with
 * {@code bin/elasticsearch} on free loopback ports, security off, with data and logs under
 * {@code target/reprocess-testkit/elasticsearch-N} (or a folder you choose). Ready at cluster health yellow.
 *
 * <p>Needs Java 21+ ({@code javaHome(...)}, else {@code REPROCESS_ES_JAVA_HOME} or {@code ES_JAVA_HOME}, else the
 * newest found in the running JVM, {@code JAVA_HOME} or {@code /usr/lib/jvm}). Elasticsearch refuses to run as root:
 * as root the testkit creates the system user {@code reprocess-es} (or {@code REPROCESS_ES_USER}) and runs the server
 * as that user. When that user cannot reach the instance folder (for example a checkout under {@code /root}, mode
 * 700), config, data and logs go to {@code /var/tmp/reprocess-testkit/elasticsearch-<hash>} instead, and a
 * {@code WHERE.txt} in the usual folder says so; likewise the unpacked distribution goes to
 * {@code /var/tmp/reprocess-testkit/dist}.
 *
 * <p>It is a minimal build: no Painless, {@code _reindex}, {@code _update_by_query}, ingest processors or
 * analysis-common; {@code GET /} answers 405. Search, mappings, bulk, point in time, {@code search_after} and slices
 * work. Create test indices with 0 replicas. {@link #close()} sends SIGTERM to the launcher, which stops the server
 * JVM, then SIGKILL after {@link #STOP_GRACE}. Thread-safe; {@code close()} is idempotent.
 */
public final class ElasticsearchServer extends LocalServer implements ElasticsearchBackend {

    public static final String DEFAULT_HEAP = "512m";
    public static final String DEFAULT_USER = "reprocess-es";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(4);
    /** How long {@link #close()} waits after SIGTERM before SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** Where files go that the Elasticsearch user must reach when the usual folders are closed to it. */
    public static final Path SHARED_FALLBACK = Path.of("/var/tmp/reprocess-testkit");

    private ElasticsearchServer(ServerOptions options, String user) {
        super(new ElasticsearchProcess(options, STOP_GRACE, user, SHARED_FALLBACK));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder extends ServerBuilder<Builder, ElasticsearchServer> {
        private int httpPort;
        private int transportPort;
        private String heap = DEFAULT_HEAP;
        private String user;

        private Builder() {
            super(DEFAULT_START_TIMEOUT);
        }

        /** HTTP port; default 0 = a free port. */
        public Builder httpPort(int port) {
            this.httpPort = BuilderChecks.port("httpPort", port);
            return this;
        }

        /** Transport port; default 0 = a free port. */
        public Builder transportPort(int port) {
            this.transportPort = BuilderChecks.port("transportPort", port);
            return this;
        }

        /** {@code -Xms} and {@code -Xmx} value; default 512m. */
        public Builder heap(String heap) {
            this.heap = BuilderChecks.heap("heap", heap);
            return this;
        }

        /** User to run as when this JVM is root; default {@code REPROCESS_ES_USER} or {@code reprocess-es}. */
        public Builder user(String user) {
            this.user = BuilderChecks.userName("user", user);
            return this;
        }

        @Override
        public ElasticsearchServer build() {
            return new ElasticsearchServer(options(heap, httpPort, transportPort), user != null ? user
                    : Objects.requireNonNullElse(System.getenv("REPROCESS_ES_USER"), DEFAULT_USER));
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
    @Override
    public ElasticsearchServer start() {
        super.start();
        return this;
    }

    @Override
    public String url() {
        return "http://" + host() + ":" + port();
    }

    @Override
    public String host() {
        return Ports.HOST;
    }

    /**
     * The HTTP port.
     *
     * @throws IllegalStateException when not started
     */
    @Override
    public int port() {
        return process().port(0);
    }

    @Override
    String address() {
        return url();
    }
}
