package dev.reprocess.examples;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the backends are. With none of {@code --cassandra}, {@code --kafka}, {@code
 * --elasticsearch}, the program starts the ones a command needs on this machine (the testkit's
 * servers, data kept under {@code --embedded-dir}); with an option, it uses that cluster instead.
 */
final class ConnectionOptions {

  @Option(names = "--cassandra", paramLabel = "HOST:PORT",
      description = "Cassandra contact point; default: start an embedded Cassandra.")
  String cassandra;

  @Option(names = "--cassandra-datacenter", paramLabel = "DC", defaultValue = "datacenter1",
      description = "Local datacenter of --cassandra (default: ${DEFAULT-VALUE}).")
  String cassandraDatacenter;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
      description = "Kafka bootstrap servers; default: start an embedded Kafka.")
  String kafka;

  @Option(names = "--elasticsearch", paramLabel = "URL",
      description = "Elasticsearch URL, e.g. http://localhost:9200; default: start an embedded Elasticsearch.")
  String elasticsearch;

  @Option(names = "--embedded-dir", paramLabel = "DIR",
      description = "Data of the embedded servers, kept between runs "
          + "(default: $REPROCESS_EMBEDDED_DIR or ~/.reprocess/embedded).")
  Path embeddedDir;

  @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = Catalog.DEFAULT_KEYSPACE,
      description = "Cassandra keyspace of the catalog (default: ${DEFAULT-VALUE}).")
  String keyspace;

  @Option(names = "--index", paramLabel = "NAME", defaultValue = SearchIndex.DEFAULT_INDEX,
      description = "Elasticsearch index of the catalog (default: ${DEFAULT-VALUE}).")
  String index;

  @Option(names = "--topic", paramLabel = "NAME", defaultValue = "asset-catalog.reindex",
      description = "Kafka topic of the re-index events; <topic>.retry and <topic>.dlt go with it"
          + " (default: ${DEFAULT-VALUE}).")
  String topic;

  Path embeddedDir() {
    if (embeddedDir != null) {
      return embeddedDir.toAbsolutePath().normalize();
    }
    String env = System.getenv("REPROCESS_EMBEDDED_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".reprocess", "embedded");
  }
}
