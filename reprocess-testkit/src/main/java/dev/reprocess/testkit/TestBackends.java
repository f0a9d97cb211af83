package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.ExternalBackends;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.function.Supplier;

/**
 * JUnit 5 extension that hands tests one shared instance of each server per JVM, started lazily on first use and
 * stopped when the JVM exits (shutdown hook):
 *
 * <pre>{@code
 * @ExtendWith(TestBackends.class)
 * class SomeIT {
 *     @Test
 *     void t(CassandraBackend cassandra, KafkaBackend kafka, ElasticsearchBackend es) { ... }
 * }
 * }</pre>
 *
 * <p>Code outside test parameters uses {@link #cassandra()}, {@link #kafka()}, {@link #elasticsearch()}. When
 * {@code -Dreprocess.cassandra=host:port} / {@code REPROCESS_CASSANDRA}, {@code -Dreprocess.kafka=host:port} /
 * {@code REPROCESS_KAFKA} or {@code -Dreprocess.elasticsearch=http://host:port} / {@code REPROCESS_ELASTICSEARCH}
 * name a running server, that server is used and nothing is started (it must answer a TCP connect). A failed start
 * is remembered: later calls in the same JVM fail at once with the same error instead of waiting again.
 */
public final class TestBackends implements ParameterResolver {

    private static final Lazy<CassandraBackend> CASSANDRA = new Lazy<>("cassandra",
            () -> ExternalBackends.system().cassandra().map(TestBackends::checkReachable)
                    .orElseGet(() -> announce(CassandraServer.builder().start())));
    private static final Lazy<KafkaBackend> KAFKA = new Lazy<>("kafka",
            () -> ExternalBackends.system().kafka().map(TestBackends::checkReachable)
                    .orElseGet(() -> announce(KafkaServer.builder().start())));
    private static final Lazy<ElasticsearchBackend> ELASTICSEARCH = new Lazy<>("elasticsearch",
            () -> ExternalBackends.system().elasticsearch().map(TestBackends::checkReachable)
                    .orElseGet(() -> announce(ElasticsearchServer.builder().start())));

    /** The shared Cassandra of this JVM, started on first call. Thread-safe; blocks while starting. */
    public static CassandraBackend cassandra() {
        return CASSANDRA.get();
    }

    /** The shared Kafka of this JVM, started on first call. Thread-safe; blocks while starting. */
    public static KafkaBackend kafka() {
        return KAFKA.get();
    }

    /** The shared Elasticsearch of this JVM, started on first call. Thread-safe; blocks while starting. */
    public static ElasticsearchBackend elasticsearch() {
        return ELASTICSEARCH.get();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == CassandraBackend.class || type == KafkaBackend.class || type == ElasticsearchBackend.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type == CassandraBackend.class) {
            return cassandra();
        }
        if (type == KafkaBackend.class) {
            return kafka();
        }
        if (type == ElasticsearchBackend.class) {
            return elasticsearch();
        }
        throw new ParameterResolutionException("TestBackends cannot supply " + type.getName());
    }

    private static CassandraBackend checkReachable(CassandraBackend backend) {
        requireConnect(backend.toString(), backend.contactPoint().getHostString(), backend.contactPoint().getPort());
        return backend;
    }

    private static KafkaBackend checkReachable(KafkaBackend backend) {
        String first = backend.bootstrapServers().split(",")[0].trim();
        int colon = first.lastIndexOf(':');
        requireConnect(backend.toString(), first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
        return backend;
    }

    private static ElasticsearchBackend checkReachable(ElasticsearchBackend backend) {
        requireConnect(backend.toString(), backend.host(), backend.port());
        return backend;
    }

    private static void requireConnect(String what, String host, int port) {
        if (!dev.reprocess.testkit.internal.Ports.canConnect(host, port, java.time.Duration.ofSeconds(3))) {
            throw new BackendException(BackendException.Reason.EXTERNAL, what + " does not accept connections on "
                    + host + ":" + port + "; start it, or unset the variable to let the testkit start one");
        }
    }

    private static <T> T announce(T server) {
        System.err.println("[reprocess-testkit] " + StartBackends.readyLine(server));
        return server;
    }

    /** Start-once holder that remembers a failure. */
    private static final class Lazy<T> {
        private final String name;
        private final Supplier<T> supplier;
        private T value;
        private RuntimeException failure;

        Lazy(String name, Supplier<T> supplier) {
            this.name = name;
            this.supplier = supplier;
        }

        synchronized T get() {
            if (value != null) {
                return value;
            }
            if (failure != null) {
                throw new BackendException(failure instanceof BackendException b ? b.reason()
                        : BackendException.Reason.OTHER, name + " failed to start earlier in this JVM: "
                        + failure.getMessage(), failure);
            }
            try {
                value = supplier.get();
                return value;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }
}
