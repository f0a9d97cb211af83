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
 * The single entry point of issue #8, and the only home of the project's benchmark loops: measures
 * Cassandra selection, shards in parallel, Kafka delivery, Elasticsearch selection, end to end and
 * memory against plain client loops on real servers, and the engine's overhead in memory, and
 * prints a Markdown table (also written to {@code benchmarks/target/benchmark-results.md}). Run it
 * with {@code ./run-benchmarks} from the repository root; {@code --help} lists the options.
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
      if (e.getMessage() == null) {
        System.out.println(Options.USAGE); // --help
        System.exit(0);
      }
      System.err.println(e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    try {
      // Fail now, not after an hour of measuring, if the results file cannot be written.
      Path parent = o.output.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!Files.isWritable(parent) || (Files.exists(o.output) && !Files.isWritable(o.output))) {
        throw new IOException("not writable");
      }
    } catch (IOException e) {
      System.err.println("--output is " + o.output + ": it cannot be written (" + e.getMessage() + ")");
      System.exit(2);
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
    CassandraSetup cassandra = new CassandraSetup(o, servers);
    try {
      if (o.cases.contains("cassandra")) {
        attempt("1-2. Cassandra selection", results, () -> CassandraCases.run(o, cassandra.session(),
            cassandra.table(), servers.cassandraCpu(), results));
      }
      if (o.cases.contains("lease")) {
        attempt("1-2c. The lease's cost", results, () -> CassandraCases.runLease(o, cassandra.session(),
            cassandra.table(), results));
      }
      if (o.cases.contains("tokenrange")) {
        attempt("1-2b. Cassandra token-range selection", results,
            () -> TokenRangeCases.run(o, cassandra.session(), cassandra.table(), results));
      }
      if (o.cases.contains("kafka")) {
        attempt("3. Kafka", results, () -> KafkaCases.run(o, servers.kafka().bootstrapServers(), results));
      }
      if (o.cases.contains("elasticsearch")) {
        attempt("4. Elasticsearch", results, () -> {
          try (ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(servers.elasticsearch().url()))) {
            ElasticsearchCases.run(o, client, o.extra ? servers.elasticsearchCpu() : null, results);
          }
        });
      }
      if (o.cases.contains("e2e")) {
        attempt("5. End to end", results, () -> EndToEndCases.run(o, cassandra.session(), cassandra.table(),
            servers.kafka().bootstrapServers(), servers.cassandraCpu(), results));
      }
      if (o.cases.contains("memory")) {
        attempt("6. Memory", results, () -> MemoryCase.run(o, servers.cassandra(), cassandra.session(),
            cassandra.table(), results));
      }
      if (o.cases.contains("engine")) {
        attempt("7. Engine overhead", results, () -> EngineCase.run(o, results));
      }
      if (o.cases.contains("sparse")) {
        attempt("8. Sparse windows", results, () -> SparseCases.run(o, servers.cassandra(), results));
      }
      if (o.cases.contains("table")) {
        attempt("9. Composite clustering key", results, () -> TableCases.run(o, cassandra.connected(), results));
      }
      if (o.cases.contains("codec")) {
        attempt("12. Event JSON", results, () -> CodecCase.run(o, results));
      }
      if (o.cases.contains("hung")) {
        attempt("11. Hung events", results, () -> HungCase.run(o, results));
      }
      if (o.cases.contains("safety")) {
        attempt("10. Production safety", results, () -> SafetyCase.run(o, servers, cassandra.table(), results));
      }
    } finally {
      cassandra.close();
    }
  }

  /**
   * The Cassandra session and the loaded table, set up when a case first needs them; a failure
   * fails the cases that need Cassandra, not the others.
   */
  private static final class CassandraSetup {
    private final Options o;
    private final Servers servers;
    private CqlSession session;
    private CassandraData.Table table;
    private RuntimeException failure;

    CassandraSetup(Options o, Servers servers) {
      this.o = o;
      this.servers = servers;
    }

    CqlSession session() {
      ensure();
      return session;
    }

    /** The session alone, for a case with a data set of its own. */
    CqlSession connected() {
      if (session == null) {
        session = servers.cassandraSession();
      }
      return session;
    }

    CassandraData.Table table() {
      ensure();
      return table;
    }

    private void ensure() {
      if (failure != null) {
        throw new IllegalStateException("the Cassandra data set could not be set up: " + failure, failure);
      }
      if (table != null) {
        return;
      }
      try {
        table = CassandraData.ensure(connected(), o.assets);
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    void close() {
      if (session != null) {
        session.close();
      }
    }
  }

  @FunctionalInterface
  private interface Case {
    void run() throws Exception;
  }

  /** Runs one case; a failure is reported in the table and the other cases still run. */
  private static void attempt(String name, Results results, Case c) {
    Log.info("=== %s", name);
    long t0 = System.nanoTime();
    try {
      c.run();
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
        startLoad, loadAverage(),
        servers.descriptions().isEmpty() ? "none" : String.join("; ", servers.descriptions())));
    sb.append(String.format(Locale.ROOT, "Medians of %d measured rounds after %d warm-up round(s), the variants' order"
        + " rotated and reversed from round to round; a ratio is the median of the per-round ratios. Page size %d. A"
        + " Cassandra or engine measurement runs as many times as fit in %s s (at least once).%n%n", o.runs,
        o.warmups, o.pageSize, new java.text.DecimalFormat("0.##").format(o.minSeconds)));
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
