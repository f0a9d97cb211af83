package dev.reprocess.bench;

import dev.reprocess.LimitAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the harness. The defaults are the sizes issue #8 asks for; {@code --quick}
 * shrinks everything for a smoke run of every case in a few minutes.
 */
final class Options {
  /** Largest page size: Elasticsearch's default {@code index.max_result_window} for one request. */
  static final int MAX_PAGE_SIZE = 10_000;
  /** Options that take a value. */
  private static final Set<String> VALUED = Set.of("--assets", "--memory-small", "--kafka-events", "--es-docs",
      "--es-slices", "--page-size", "--warmups", "--runs", "--memory-runs", "--min-seconds", "--cases", "--output",
      "--worker-concurrency", "--sink-property", "--worker-property", "--sink-job-concurrency", "--job-concurrency", "--sparse-days", "--safety-seconds", "--safety-rate",
      "--safety-algorithm");

  /** Every case, in the order they run. */
  static final List<String> ALL_CASES = List.of("cassandra", "lease", "tokenrange", "kafka", "elasticsearch", "e2e", "memory",
      "engine", "sparse", "table", "safety", "hung", "codec");

  int assets = 1_000_000;
  int memorySmallAssets = 100_000;
  int kafkaEvents = 500_000;
  double minSeconds = 5;
  int esDocs = 1_000_000;
  int esSlices = 4;
  int kafkaPartitions = 6;
  int pageSize = 500;
  int warmups = 2;
  int runs = 11;
  int memoryRuns = 3;
  /** Days of hourly buckets in the sparse-window case's window. */
  int sparseDays = 365;
  String memoryHeap = "256m";
  boolean quick;
  /** Also run the reference variants (extra rows): see {@link #USAGE}. */
  boolean extra;
  /** Handler threads of the measured Kafka worker; 0 for the worker's default. */
  int workerConcurrency;
  /** Events in flight of case 5's job through Kafka; 0 for the sink's default. */
  int sinkJobConcurrency;
  /** Handler threads of case 5's direct job; 0 for the job's default. */
  int jobConcurrency;
  /** Kafka client properties given to the measured sinks (cases 3 and 5), not to the plain loops. */
  final Map<String, Object> sinkProperties = new LinkedHashMap<>();
  /** Kafka client properties given to the measured workers (cases 3 and 5), not to the plain loops. */
  final Map<String, Object> workerProperties = new LinkedHashMap<>();
  /** Seconds each phase of the safety case measures production. */
  int safetySeconds = 30;
  /** Production's requests per second in the safety case. */
  double safetyRate = 1000;
  /** The limit algorithm of the safety case's adaptive phases. */
  LimitAlgorithm safetyAlgorithm = LimitAlgorithm.GRADIENT2;
  Set<String> cases = new LinkedHashSet<>(ALL_CASES);
  Path workDir = Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks", "target") : Path.of("target");
  Path output;

  static final String USAGE = String.join(System.lineSeparator(),
      "usage: ./run-benchmarks [options]",
      "  --quick               small sizes for a smoke run (100k assets, memory jobs of 10k and 100k assets,",
      "                        20k Kafka events, 50k Elasticsearch docs, 3 measured rounds, 1 memory run)",
      "  --assets N            Cassandra assets for selection, shards and end to end; in-memory ids of the",
      "                        engine case (default 1000000)",
      "  --memory-small N      assets of the smaller memory job; the larger one uses --assets (default 100000)",
      "  --kafka-events N      events per Kafka sink/worker run (default 500000)",
      "  --min-seconds S       Cassandra reads (cases 1, 2 and 5's baseline) and case 7: each measurement runs",
      "                        again until S seconds passed (default 5; 1 with --quick)",
      "  --output FILE         Markdown results file, relative to the current directory",
      "                        (default benchmarks/target/benchmark-results.md)",
      "  --es-docs N           Elasticsearch documents (default 1000000)",
      "  --es-slices N         slices of the sliced Elasticsearch reads (default 4)",
      "  --page-size N         page size of every selection and job, at most 10000 (default 500)",
      "  --warmups N           warm-up rounds per case, not counted (default 2)",
      "  --runs N              measured rounds per case; figures are medians (default 11)",
      "  --memory-runs N       child JVMs per memory job size (default 3)",
      "  --cases LIST          comma-separated subset of " + String.join(",", ALL_CASES),
      "                        (default all; engine needs no server: a job over in-memory ids against a loop;",
      "                        table: TableSelector on a composite clustering key of mixed orders, --assets / 4 rows;",
      "                        tokenrange: TokenRangeSelector against a plain loop over the same token ranges;",
      "                        codec: the event JSON's formats and Jackson variants, no server)",
      "  --extra               also run reference variants, as rows marked (extra): Cassandra with the driver",
      "                        paging one query per partition, and a ReprocessJob at 1 and 4 shards; Kafka records",
      "                        built before the timed loop; Elasticsearch sorted by _seq_no and by a keyword, in",
      "                        requests of the selector's fetch size, the selector in requests of one page and",
      "                        with its point in time closed every 20 pages; client CPU per id of the reads,",
      "                        and server CPU per id when the harness started the server",
      "  --worker-concurrency N  handler threads of the measured Kafka worker (default: the worker's default)",
      "  --sink-property K=V   a Kafka producer property of the measured sinks (cases 3 and 5), not of the plain",
      "                        producer loop; repeatable (to compare settings: the plain loop keeps Kafka's defaults)",
      "  --sink-job-concurrency N  events in flight of case 5's job through Kafka (default: the sink's default)",
      "  --job-concurrency N   handler threads of case 5's direct job (default: the job's default)",
      "  --worker-property K=V a Kafka consumer property of the measured workers (cases 3 and 5); repeatable",
      "  --sparse-days N       days of hourly buckets x 3 types in the sparse case's window (default 365; 30 with --quick)",
      "  --safety-seconds S    seconds each phase of the safety case measures production (default 30; 10 with --quick)",
      "  --safety-rate R       production's requests per second in the safety case, open loop (default 1000)",
      "  --safety-algorithm A  the adaptive phases' limitAlgorithm: gradient2 (default), vegas or aimd",
      "Servers: REPROCESS_CASSANDRA, REPROCESS_KAFKA, REPROCESS_ELASTICSEARCH name running ones; otherwise the",
      "testkit starts each one under benchmarks/target/bench-servers and stops it at the end (Cassandra and",
      "Elasticsearch keep their data there, so a re-run reuses the loaded data sets).",
      "Exit code: 0 when every case ran (whether or not its goals were met: see the table's 'met' column),",
      "1 when a case failed, 2 for a bad command line.");

  static Options parse(String[] args) {
    Options o = new Options();
    List<String> rest = new ArrayList<>(List.of(args));
    o.extra = rest.remove("--extra");
    if (rest.remove("--quick")) {
      o.applyQuick(); // first, so explicit sizes given with it win
    }
    for (int i = 0; i < rest.size(); i++) {
      String name = rest.get(i);
      if (name.equals("--help") || name.equals("-h")) {
        throw new UsageException(null);
      }
      if (!VALUED.contains(name)) {
        throw new UsageException(name.equals("--quick") || name.equals("--extra") ? name + " is given twice"
            : "unknown option " + name);
      }
      if (i + 1 >= rest.size()) {
        throw new UsageException("option " + name + " needs a value");
      }
      String value = rest.get(++i);
      switch (name) {
        case "--assets" -> o.assets = positive(name, value);
        case "--memory-small" -> o.memorySmallAssets = positive(name, value);
        case "--kafka-events" -> o.kafkaEvents = positive(name, value);
        case "--es-docs" -> o.esDocs = positive(name, value);
        case "--es-slices" -> o.esSlices = positive(name, value);
        case "--page-size" -> o.pageSize = positive(name, value);
        case "--warmups" -> o.warmups = nonNegative(name, value);
        case "--runs" -> o.runs = positive(name, value);
        case "--memory-runs" -> o.memoryRuns = positive(name, value);
        case "--min-seconds" -> o.minSeconds = positiveSeconds(name, value);
        case "--worker-concurrency" -> o.workerConcurrency = positive(name, value);
        case "--sink-job-concurrency" -> o.sinkJobConcurrency = positive(name, value);
        case "--job-concurrency" -> o.jobConcurrency = positive(name, value);
        case "--sink-property" -> property(name, value, o.sinkProperties);
        case "--worker-property" -> property(name, value, o.workerProperties);
        case "--sparse-days" -> o.sparseDays = positive(name, value);
        case "--safety-seconds" -> o.safetySeconds = positive(name, value);
        case "--safety-rate" -> o.safetyRate = positive(name, value);
        case "--safety-algorithm" -> o.safetyAlgorithm = algorithm(name, value);
        case "--cases" -> {
          o.cases = new LinkedHashSet<>();
          for (String c : value.split(",")) {
            String k = c.trim().toLowerCase(Locale.ROOT);
            if (!ALL_CASES.contains(k)) {
              throw new UsageException("--cases has '" + c + "': it must be among " + ALL_CASES);
            }
            o.cases.add(k);
          }
        }
        case "--output" -> o.output = callerDir().resolve(value);
        default -> throw new IllegalStateException("option " + name + " is listed but not handled");
      }
    }
    if (o.output == null) {
      o.output = o.workDir.resolve("benchmark-results.md");
    }
    o.checkTogether();
    return o;
  }

  private static void property(String name, String value, Map<String, Object> into) {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new UsageException(name + " is '" + value + "': it must be key=value, e.g. linger.ms=20");
    }
    into.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
  }

  private static LimitAlgorithm algorithm(String name, String value) {
    try {
      return LimitAlgorithm.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(name + " is '" + value + "': it must be gradient2, vegas or aimd");
    }
  }

  /** The sizes of {@code --quick}. */
  private void applyQuick() {
    quick = true;
    assets = 100_000;
    memorySmallAssets = 10_000;
    kafkaEvents = 20_000;
    esDocs = 50_000;
    runs = 3;
    memoryRuns = 1;
    minSeconds = 1;
    sparseDays = 30;
    safetySeconds = 10;
  }

  /** The rules that involve more than one option. */
  private void checkTogether() {
    if (pageSize > MAX_PAGE_SIZE) {
      throw new UsageException("--page-size is " + pageSize + ": it must be at most " + MAX_PAGE_SIZE
          + " (Elasticsearch's index.max_result_window)");
    }
    if (cases.contains("memory") && memorySmallAssets >= assets) {
      throw new UsageException("--memory-small is " + memorySmallAssets + ": it must be below --assets ("
          + assets + "), the larger memory job");
    }
  }

  /** Where the caller ran {@code ./run-benchmarks} from (the script changes to the repository root). */
  private static Path callerDir() {
    String dir = System.getenv("REPROCESS_BENCH_CALLER_DIR");
    return dir == null || dir.isBlank() ? Path.of("").toAbsolutePath() : Path.of(dir);
  }

  private static double positiveSeconds(String name, String value) {
    double v;
    try {
      v = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " is '" + value + "': it must be a number of seconds, e.g. 5 or 0.5");
    }
    if (!(v > 0) || v > 3600) {
      throw new UsageException(name + " is " + value + ": it must be above 0 and at most 3600 seconds");
    }
    return v;
  }

  private static int positive(String name, String value) {
    int v = parseInt(name, value);
    if (v < 1) {
      throw new UsageException(name + " is " + v + ": it must be at least 1");
    }
    return v;
  }

  private static int nonNegative(String name, String value) {
    int v = parseInt(name, value);
    if (v < 0) {
      throw new UsageException(name + " is " + v + ": it must be at least 0");
    }
    return v;
  }

  private static int parseInt(String name, String value) {
    String digits = value.replace("_", "");
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      if (digits.matches("[+-]?\\d+")) {
        throw new UsageException(name + " is " + value + ": it must be at most " + Integer.MAX_VALUE);
      }
      throw new UsageException(name + " is '" + value + "': it must be a whole number");
    }
  }

  /** Bad command line: the message, then the usage. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
