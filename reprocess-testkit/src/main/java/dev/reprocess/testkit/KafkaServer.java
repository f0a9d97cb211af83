package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.BuilderChecks;
import dev.reprocess.testkit.internal.KafkaProcess;
import dev.reprocess.testkit.internal.Ports;
import dev.reprocess.testkit.internal.ServerOptions;

import java.time.Duration;

/**
 * A real single-node Kafka (version from the root pom's {@code kafka-server.version}) in KRaft combined mode, run as a
 * child JVM from {@code org.apache.kafka:kafka_2.13} and its runtime dependencies plus slf4j-simple, on free loopback
 * ports, with data and log under {@code target/reprocess-testkit/kafka-N} (or a folder you choose). The storage is
 * formatted once ({@code kafka.tools.StorageTool format --standalone}), then {@code kafka.Kafka} runs.
 *
 * <p>Needs Java 17 or newer for the server: {@code javaHome(...)}, else {@code REPROCESS_KAFKA_JAVA_HOME}, else the
 * running JVM when it is 17+, else one found in {@code JAVA_HOME} or the usual install folders. Ready when the broker
 * answers an ApiVersions request and has logged "Kafka Server started". After creating a topic, wait until every
 * partition answers a ListOffsets before producing (the testkit's README says why). Thread-safe; {@code close()}
 * is idempotent.
 */
public final class KafkaServer extends LocalServer implements KafkaBackend {

    public static final String DEFAULT_MAX_HEAP = "512m";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(2);
    /** How long {@link #close()} and {@link #restart()} wait after SIGTERM before SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private KafkaServer(ServerOptions options) {
        super(new KafkaProcess(options, STOP_GRACE));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable options; {@link #build()} gives a server that is not started yet. */
    public static final class Builder extends ServerBuilder<Builder, KafkaServer> {
        private int port;
        private int controllerPort;
        private String maxHeap = DEFAULT_MAX_HEAP;

        private Builder() {
            super(DEFAULT_START_TIMEOUT);
        }

        /** Broker (PLAINTEXT) port; default 0 = a free port. */
        public Builder port(int port) {
            this.port = BuilderChecks.port("port", port);
            return this;
        }

        /** Controller port; default 0 = a free port. */
        public Builder controllerPort(int port) {
            this.controllerPort = BuilderChecks.port("controllerPort", port);
            return this;
        }

        /** {@code -Xmx} value; default 512m. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = BuilderChecks.heap("maxHeap", maxHeap);
            return this;
        }

        /**
         * {@inheritDoc} The storage is formatted only when the kept folder holds no {@code meta.properties} yet.
         */
        @Override
        public Builder keepData(boolean keepData) {
            return super.keepData(keepData);
        }

        @Override
        public KafkaServer build() {
            return new KafkaServer(options(maxHeap, port, controllerPort));
        }
    }

    /**
     * Resolves the jars (first time only), formats the storage, starts the broker and waits until it is ready.
     *
     * @return this
     * @throws BackendException with a one-line reason (and the log's last lines when the server died)
     * @throws IllegalStateException when already started or closed
     */
    @Override
    public KafkaServer start() {
        super.start();
        return this;
    }

    /**
     * Stops the broker with SIGTERM (not SIGKILL, so the restarted broker need not wait for its old registration to
     * expire) and starts it again on the same ports and data, with its output in a new log file
     * ({@code kafka-2.log}, ...).
     */
    @Override
    public void restart() {
        process().restart();
    }

    @Override
    public String bootstrapServers() {
        return Ports.HOST + ":" + port();
    }

    /**
     * The broker port.
     *
     * @throws IllegalStateException when not started
     */
    public int port() {
        return process().port(0);
    }

    @Override
    String address() {
        return bootstrapServers();
    }
}
