package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.CassandraServer;
import dev.reprocess.testkit.ElasticsearchBackend;
import dev.reprocess.testkit.ElasticsearchServer;
import dev.reprocess.testkit.KafkaBackend;
import dev.reprocess.testkit.KafkaServer;
import dev.reprocess.testkit.TestBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers the cases run against, obtained on first use. A server named by {@code
 * REPROCESS_CASSANDRA} / {@code REPROCESS_KAFKA} / {@code REPROCESS_ELASTICSEARCH} (or the {@code
 * reprocess.*} system properties) is used through {@link TestBackends}, which honours them, and
 * never stopped here. Otherwise the testkit's launcher starts a dedicated one in a fixed folder
 * under the work directory: Cassandra and Elasticsearch keep their data there between harness runs
 * so the loaded data sets are reused. {@link #close()} stops exactly the servers started here.
 */
final class Servers implements AutoCloseable {
  private final Path base;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<String> descriptions = new ArrayList<>();
  private CassandraBackend cassandra;
  private KafkaBackend kafka;
  private ElasticsearchBackend elasticsearch;

  Servers(Path workDir) {
    this.base = workDir.resolve("bench-servers").toAbsolutePath();
  }

  private static boolean external(String variable, String property) {
    String env = System.getenv(variable);
    return (env != null && !env.isBlank()) || System.getProperty(property) != null;
  }

  synchronized CassandraBackend cassandra() {
    if (cassandra == null) {
      if (external("REPROCESS_CASSANDRA", "reprocess.cassandra")) {
        cassandra = TestBackends.cassandra();
        descriptions.add("Cassandra " + cassandra.contactPoint() + " (REPROCESS_CASSANDRA)");
      } else {
        Log.info("starting Cassandra under %s", base.resolve("cassandra"));
        CassandraServer server = CassandraServer.builder().directory(base.resolve("cassandra")).keepData(true).start();
        started.add(server);
        cassandra = server;
        Log.info("Cassandra ready at %s in %s", server.contactPoint(), server.startupTime());
        descriptions.add("Cassandra 5.0.6 started by the harness (testkit, -Xmx" + CassandraServer.DEFAULT_MAX_HEAP + ")");
      }
    }
    return cassandra;
  }

  synchronized KafkaBackend kafka() {
    if (kafka == null) {
      if (external("REPROCESS_KAFKA", "reprocess.kafka")) {
        kafka = TestBackends.kafka();
        descriptions.add("Kafka " + kafka.bootstrapServers() + " (REPROCESS_KAFKA)");
      } else {
        Log.info("starting Kafka under %s", base.resolve("kafka"));
        KafkaServer server = KafkaServer.builder().directory(base.resolve("kafka")).start();
        started.add(server);
        kafka = server;
        Log.info("Kafka ready at %s in %s", server.bootstrapServers(), server.startupTime());
        descriptions.add("Kafka 4.3.1 started by the harness (testkit, -Xmx" + KafkaServer.DEFAULT_MAX_HEAP + ")");
      }
    }
    return kafka;
  }

  synchronized ElasticsearchBackend elasticsearch() {
    if (elasticsearch == null) {
      if (external("REPROCESS_ELASTICSEARCH", "reprocess.elasticsearch")) {
        elasticsearch = TestBackends.elasticsearch();
        descriptions.add("Elasticsearch " + elasticsearch.url() + " (REPROCESS_ELASTICSEARCH)");
      } else {
        Log.info("starting Elasticsearch under %s", base.resolve("elasticsearch"));
        ElasticsearchServer server = ElasticsearchServer.builder().directory(base.resolve("elasticsearch"))
            .keepData(true).start();
        started.add(server);
        elasticsearch = server;
        Log.info("Elasticsearch ready at %s in %s", server.url(), server.startupTime());
        descriptions.add("Elasticsearch 9.5.4 started by the harness (testkit, heap " + ElasticsearchServer.DEFAULT_HEAP + ")");
      }
    }
    return elasticsearch;
  }

  /** A session tuned like the project's ITs: generous request timeout, quick schema agreement. */
  CqlSession cassandraSession() {
    CassandraBackend c = cassandra();
    return session(c.contactPoint().getHostString(), c.contactPoint().getPort(), c.localDatacenter());
  }

  static CqlSession session(String host, int port, String datacenter) {
    return sessionBuilder(host, port, datacenter).build();
  }

  /** The builder of {@link #cassandraSession()}, for a case that adds to it (a request tracker). */
  CqlSessionBuilder cassandraSessionBuilder() {
    CassandraBackend c = cassandra();
    return sessionBuilder(c.contactPoint().getHostString(), c.contactPoint().getPort(), c.localDatacenter());
  }

  private static CqlSessionBuilder sessionBuilder(String host, int port, String datacenter) {
    return CqlSession.builder()
        .addContactPoint(new java.net.InetSocketAddress(host, port))
        .withLocalDatacenter(datacenter)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
            .withBoolean(DefaultDriverOption.REQUEST_LOG_WARNINGS, false)
            .build());
  }

  /** CPU time of the Cassandra server, when the harness started it; null for an external one. */
  synchronized ServerCpu cassandraCpu() {
    return cassandra() instanceof CassandraServer server ? new ServerCpu(server.pid()) : null;
  }

  /** CPU time of the Elasticsearch server, when the harness started it; null for an external one. */
  synchronized ServerCpu elasticsearchCpu() {
    return elasticsearch() instanceof ElasticsearchServer server ? new ServerCpu(server.pid()) : null;
  }

  synchronized List<String> descriptions() {
    return List.copyOf(descriptions);
  }

  /** Stops the servers started here, newest first; external ones are left alone. */
  @Override
  public synchronized void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        Log.info("stopping %s failed: %s", started.get(i), e);
      }
    }
    started.clear();
  }
}
