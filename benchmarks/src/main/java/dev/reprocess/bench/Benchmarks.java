package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The single entry point of issue #8: measures Cassandra selection, shards in parallel, Kafka
 * delivery, Elasticsearch selection, end to end and memory against plain client loops on real
 * servers, and prints a Markdown table (also written to {@code benchmarks/target/benchmark-results.md}).
 * Run it with {@code ./run-benchmarks} from the repository root; {@code --help} lists the options.
 *
 * <p>Method: each case runs its variants round-robin (order rotated every round) for a warm-up
 * round and then several measured rounds; figures are medians, and every ratio compares variants
 * measured in the same rounds of the same run, so a noisy machine moves both sides.
 */
public final class Benchmarks {
  private Benchmarks() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (Options.UsageException e) {
      if (e.getMessage() != null) {
        System.err.println(e.getMessage());
      }
      System.err.println(Options.USAGE);
      System.exit(e.getMessage() == null ? 0 : 2);
      return;
    }
    Results results = new Results();
    String startLoad = loadAverage();
    Instant started = Instant.now();
    Servers servers = new Servers(o.workDir);
    Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "bench-servers-stop"));
    try {
      runCases(o, servers, results);
    } finally {
      servers.close();
    }
    String header = header(o, servers, started, startLoad);
    String markdown = results.markdown(header);
    System.out.println(markdown);
    results.write(o.output, markdown);
    Log.info("results written to %s", o.output.toAbsolutePath());
    System.exit(results.anyFailed() ? 1 : 0);
  }

  private static void runCases(Options o, Servers servers, Results results) {
    boolean needsCassandra = o.cases.contains("cassandra") || o.cases.contains("e2e") || o.cases.contains("memory");
    CqlSession session = null;
    CassandraData.Table table = null;
    try {
      if (needsCassandra) {
        session = servers.cassandraSession();
        table = CassandraData.ensure(session, o.assets);
      }
      if (o.cases.contains("cassandra")) {
        attempt("1-2. Cassandra selection", results, session, table, (s, t) -> CassandraCases.run(o, s, t, results));
      }
      if (o.cases.contains("kafka")) {
        attempt("3. Kafka", results, session, table, (s, t) -> KafkaCases.run(o, servers.kafka().bootstrapServers(),
            results));
      }
      if (o.cases.contains("elasticsearch")) {
        attempt("4. Elasticsearch", results, session, table, (s, t) -> {
          try (ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(servers.elasticsearch().url()))) {
            ElasticsearchCases.run(o, client, results);
          }
        });
      }
      if (o.cases.contains("e2e")) {
        attempt("5. End to end", results, session, table, (s, t) -> EndToEndCases.run(o, s, t,
            servers.kafka().bootstrapServers(), results));
      }
      if (o.cases.contains("memory")) {
        attempt("6. Memory", results, session, table, (s, t) -> MemoryCase.run(o, servers.cassandra(), s, t, results));
      }
    } catch (RuntimeException e) {
      Log.info("setting up Cassandra failed: %s", e);
      results.failed("Cassandra data set", e);
    } finally {
      if (session != null) {
        session.close();
      }
    }
  }

  @FunctionalInterface
  private interface Case {
    void run(CqlSession session, CassandraData.Table table) throws Exception;
  }

  /** Runs one case; a failure is reported in the table and the other cases still run. */
  private static void attempt(String name, Results results, CqlSession session, CassandraData.Table table, Case c) {
    Log.info("=== %s", name);
    long t0 = System.nanoTime();
    try {
      c.run(session, table);
      Log.info("=== %s done in %.0f s", name, Stats.seconds(t0));
    } catch (Exception | Error e) {
      Log.info("=== %s FAILED: %s", name, e);
      e.printStackTrace();
      results.failed(name, e);
    }
  }

  private static String header(Options o, Servers servers, Instant started, String startLoad) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Benchmark results\n\n");
    sb.append(String.format(Locale.ROOT, "Run %s (%s, %.0f min) on %s: %s, %d cores, %s RAM; Java %s (%s).%n",
        started.truncatedTo(ChronoUnit.SECONDS), o.quick ? "--quick" : "full sizes",
        java.time.Duration.between(started, Instant.now()).toSeconds() / 60.0, hostName(), cpuModel(),
        Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("java.version"),
        System.getProperty("java.vm.name")));
    sb.append(String.format(Locale.ROOT, "Load average at start %s, at end %s. Servers: %s.%n",
        startLoad, loadAverage(), String.join("; ", servers.descriptions())));
    sb.append(String.format(Locale.ROOT, "Medians of %d measured rounds after %d warm-up round(s), variants rotated"
        + " each round; ratios compare variants of the same rounds. Page size %d. A Cassandra measurement reads the"
        + " table as many times as fit in %.0f s (at least once).%n%n", o.runs, o.warmups, o.pageSize, o.minSeconds));
    return sb.toString();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static String memTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
          .findFirst().map(l -> String.format(Locale.ROOT, "%.0f GiB",
              Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
