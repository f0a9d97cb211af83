package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.testkit.CassandraBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Case 6: peak heap and resident memory of a job over the small and the large table, each in a
 * fresh child JVM ({@link MemoryChild}) limited to {@code -Xmx256m}: the large job completing there
 * is itself one of the figures, and the live heap (after a collection) must stay flat (large /
 * small within 10%); the peak heap and resident memory are reported with their ratios and no goal.
 */
final class MemoryCase {
  static final double FLAT_GOAL = 1.10;

  private MemoryCase() {}

  static void run(Options o, CassandraBackend cassandra, CqlSession session, CassandraData.Table large,
      Results results) throws Exception {
    CassandraData.Table small = CassandraData.ensure(session, o.memorySmallAssets);
    Map<String, List<Map<String, String>>> runs = new HashMap<>();
    for (int r = 0; r < o.memoryRuns; r++) {
      for (CassandraData.Table t : r % 2 == 0 ? List.of(small, large) : List.of(large, small)) {
        Map<String, String> m = child(o, cassandra, t);
        Log.info("memory run %d: %,d assets: live heap %,d KiB, peak heap %,d KiB, peak RSS %,d KiB, %s events/s,"
            + " %s GCs (%s)", r + 1, t.assets(), kib(m, "liveHeap"), kib(m, "peakHeap"), kib(m, "peakRss"),
            m.get("rate"), m.get("gcs"), m.get("gc"));
        runs.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(m);
      }
    }
    String c = String.format("6. Memory, job in a child JVM with -Xmx%s (%s)", o.memoryHeap,
        runs.get(large.name()).get(0).get("gc").replace('_', ' '));
    for (String figure : List.of("liveHeap", "peakHeap", "peakRss")) {
      double s = median(runs.get(small.name()), figure) / 1024 / 1024;
      double l = median(runs.get(large.name()), figure) / 1024 / 1024;
      String label = switch (figure) {
        case "liveHeap" -> "heap after GC, max";
        case "peakHeap" -> "peak heap used (garbage included)";
        default -> "peak resident memory (VmHWM)";
      };
      results.add(c, String.format("%s, %,d assets", label, small.assets()), s, "MiB", null, null);
      // The goal is on the live heap alone: the peak heap counts garbage not yet collected, and resident memory
      // the heap the JVM grew into; a longer run reaches more of both without holding more.
      results.addAtMost(c, String.format("%s, %,d assets (ratio to %,d)", label, large.assets(), small.assets()), l,
          "MiB", l / s, figure.equals("liveHeap") ? FLAT_GOAL : null);
    }
    results.add(c, String.format("%,d-asset job completed with -Xmx%s (runs)", large.assets(), o.memoryHeap),
        runs.get(large.name()).size(), "runs", null, null);
  }

  private static long kib(Map<String, String> m, String key) {
    return Long.parseLong(m.get(key)) / 1024;
  }

  private static double median(List<Map<String, String>> runs, String key) {
    List<Double> values = new ArrayList<>();
    for (Map<String, String> m : runs) {
      values.add(Double.parseDouble(m.get(key)));
    }
    return Stats.median(values);
  }

  /** Runs one child JVM; fails unless it completes and prints its RESULT line. */
  private static Map<String, String> child(Options o, CassandraBackend cassandra, CassandraData.Table t)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx" + o.memoryHeap, "-cp", System.getProperty("java.class.path"),
        MemoryChild.class.getName(), cassandra.contactPoint().getHostString(),
        Integer.toString(cassandra.contactPoint().getPort()), cassandra.localDatacenter(), t.qualified(),
        Integer.toString(t.assets()), Integer.toString(o.pageSize));
    // The child's output goes to a file, so a hung child is caught by the time limit, not by a blocked read.
    Path log = Files.createTempFile(o.workDir.toAbsolutePath(), "memory-child-", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("memory child over " + t.qualified() + " did not finish in 10 minutes; its output"
          + " is in " + log);
    }
    Map<String, String> result = null;
    List<String> output = new ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (line.startsWith("RESULT ")) {
        result = new HashMap<>();
        for (String kv : line.substring(7).split(" ")) {
          int eq = kv.indexOf('=');
          result.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      } else {
        output.add(line);
      }
    }
    if (p.exitValue() != 0 || result == null) {
      throw new IllegalStateException("memory child over " + t.qualified() + " with -Xmx" + o.memoryHeap
          + " failed (exit " + p.exitValue() + "): " + String.join(" | ",
          output.subList(Math.max(0, output.size() - 15), output.size())) + " (whole output in " + log + ")");
    }
    Files.deleteIfExists(log);
    return result;
  }
}
