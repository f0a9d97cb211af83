package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ElasticsearchBackend;
import dev.reprocess.testkit.KafkaBackend;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Servers named by configuration instead of started: system property {@code reprocess.cassandra} /
 * {@code reprocess.kafka} / {@code reprocess.elasticsearch}, else variable {@code REPROCESS_CASSANDRA} /
 * {@code REPROCESS_KAFKA} / {@code REPROCESS_ELASTICSEARCH}.
 */
public final class ExternalBackends {

    private final Function<String, String> properties;
    private final Map<String, String> env;

    public ExternalBackends(Function<String, String> properties, Map<String, String> env) {
        this.properties = properties;
        this.env = env;
    }

    public static ExternalBackends system() {
        return new ExternalBackends(System::getProperty, System.getenv());
    }

    private Optional<Named> value(String property, String variable) {
        String p = properties.apply(property);
        if (p != null && !p.isBlank()) {
            return Optional.of(new Named("-D" + property, p.trim()));
        }
        String v = env.get(variable);
        if (v != null && !v.isBlank()) {
            return Optional.of(new Named(variable, v.trim()));
        }
        return Optional.empty();
    }

    private record Named(String source, String value) {
    }

    /** host:port, default port 9042; datacenter from reprocess.cassandra.datacenter / REPROCESS_CASSANDRA_DATACENTER. */
    public Optional<CassandraBackend> cassandra() {
        return value("reprocess.cassandra", "REPROCESS_CASSANDRA").map(named -> {
            HostPort hp = hostPort(named, 9042);
            String dc = value("reprocess.cassandra.datacenter", "REPROCESS_CASSANDRA_DATACENTER")
                    .map(Named::value).orElse("datacenter1");
            return new ExternalCassandra(new InetSocketAddress(hp.host(), hp.port()), dc,
                    "external Cassandra " + hp + " (" + named.source() + ")");
        });
    }

    /** Bootstrap servers, comma separated host:port. */
    public Optional<KafkaBackend> kafka() {
        return value("reprocess.kafka", "REPROCESS_KAFKA").map(named -> {
            for (String server : named.value().split(",")) {
                hostPort(new Named(named.source(), server.trim()), -1);
            }
            return new ExternalKafka(named.value(), named.source());
        });
    }

    /** An http(s) URL; a trailing slash is dropped. */
    public Optional<ElasticsearchBackend> elasticsearch() {
        return value("reprocess.elasticsearch", "REPROCESS_ELASTICSEARCH").map(named -> {
            String raw = named.value().endsWith("/") ? named.value().substring(0, named.value().length() - 1)
                    : named.value();
            URI uri;
            try {
                uri = URI.create(raw);
            } catch (IllegalArgumentException e) {
                throw malformed(named, "an http URL like http://127.0.0.1:9200");
            }
            if (uri.getHost() == null || uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw malformed(named, "an http URL like http://127.0.0.1:9200");
            }
            int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
            return new ExternalElasticsearch(raw, uri.getHost(), port,
                    "external Elasticsearch " + raw + " (" + named.source() + ")");
        });
    }

    private record ExternalCassandra(InetSocketAddress contactPoint, String localDatacenter, String description)
            implements CassandraBackend {
        @Override
        public String toString() {
            return description;
        }
    }

    /** @param source where the value came from, e.g. {@code REPROCESS_KAFKA} */
    private record ExternalKafka(String bootstrapServers, String source) implements KafkaBackend {
        @Override
        public void restart() {
            throw new IllegalStateException("cannot restart the external Kafka " + bootstrapServers + " named by "
                    + source + "; restart() needs a broker the testkit started");
        }

        @Override
        public String toString() {
            return "external Kafka " + bootstrapServers + " (" + source + ")";
        }
    }

    private record ExternalElasticsearch(String url, String host, int port, String description)
            implements ElasticsearchBackend {
        @Override
        public String toString() {
            return description;
        }
    }

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private static HostPort hostPort(Named named, int defaultPort) {
        String value = named.value();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            if (defaultPort < 0 || value.isEmpty()) {
                throw malformed(named, "host:port");
            }
            return new HostPort(value, defaultPort);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw malformed(named, "host:port");
            }
            return new HostPort(host, port);
        } catch (NumberFormatException e) {
            throw malformed(named, "host:port");
        }
    }

    private static BackendException malformed(Named named, String expected) {
        return new BackendException(BackendException.Reason.EXTERNAL, named.source() + "='" + named.value()
                + "' is not " + expected);
    }
}
