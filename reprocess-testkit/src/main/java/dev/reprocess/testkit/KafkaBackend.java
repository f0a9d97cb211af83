package dev.reprocess.testkit;

/** A reachable Kafka cluster, started by the testkit or named by {@code REPROCESS_KAFKA}. Thread-safe. */
public interface KafkaBackend {

    /** {@code bootstrap.servers} for clients, e.g. {@code "127.0.0.1:40125"}. */
    String bootstrapServers();

    /**
     * Stops the broker gracefully (SIGTERM) and starts it again on the same ports with the same data, returning once
     * it is ready. Blocks; for tests of clients that must survive a broker restart.
     *
     * @throws IllegalStateException for an external server, which the testkit does not own
     * @throws BackendException when the restart fails
     */
    void restart();
}
