package dev.reprocess.cassandra.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.testkit.CassandraBackend;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/** Sessions and keyspaces for the integration tests and the benchmark. */
public final class Cassandra {
  private Cassandra() {}

  /**
   * A session with a request timeout well above the default 2 s (schema changes under load) and
   * short schema-agreement and metadata windows, which make test DDL fast.
   */
  public static CqlSession session(CassandraBackend backend) {
    return session(backend.contactPoint(), backend.localDatacenter());
  }

  /** The same, for a contact point and data center given by hand (a child process). */
  public static CqlSession session(InetSocketAddress contactPoint, String localDatacenter) {
    return builder(contactPoint, localDatacenter).build();
  }

  /** The builder of {@link #session}, for a test that adds to it (a request tracker). */
  public static CqlSessionBuilder builder(CassandraBackend backend) {
    return builder(backend.contactPoint(), backend.localDatacenter());
  }

  /**
   * The same, reconnecting to a node that went down every {@code reconnectEvery} instead of the
   * driver's exponential backoff (1 s doubling up to 60 s), for a test that restarts its node and
   * waits for the client to see it back.
   */
  public static CqlSession session(CassandraBackend backend, Duration reconnectEvery) {
    return CqlSession.builder()
        .addContactPoint(backend.contactPoint())
        .withLocalDatacenter(backend.localDatacenter())
        .withConfigLoader(config()
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, reconnectEvery)
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, reconnectEvery)
            .build())
        .build();
  }

  private static CqlSessionBuilder builder(InetSocketAddress contactPoint, String localDatacenter) {
    return CqlSession.builder()
        .addContactPoint(contactPoint)
        .withLocalDatacenter(localDatacenter)
        .withConfigLoader(config().build());
  }

  private static ProgrammaticDriverConfigLoaderBuilder config() {
    return DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(20))
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_INTERVAL, Duration.ofMillis(50))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(20))
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
        .withDuration(DefaultDriverOption.METADATA_TOPOLOGY_WINDOW, Duration.ofMillis(10))
        .withBoolean(DefaultDriverOption.REQUEST_LOG_WARNINGS, false);
  }

  /** A new keyspace (SimpleStrategy, RF 1) with a random suffix, so tests never share data. */
  public static String newKeyspace(CqlSession session, String prefix) {
    String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
    session.execute(SimpleStatement.newInstance("CREATE KEYSPACE " + name
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"));
    return name;
  }

  /** Drops a keyspace made by {@link #newKeyspace}. */
  public static void dropKeyspace(CqlSession session, String keyspace) {
    session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace));
  }
}
