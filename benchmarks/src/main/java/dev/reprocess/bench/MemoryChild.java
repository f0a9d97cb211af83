package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Case 6's child JVM (started by {@link MemoryCase} with a small {@code -Xmx}): runs one {@link
 * ReprocessJob} over a Cassandra table with a no-op handler and the job's default options, and
 * prints one {@code RESULT} line:
 *
 * <ul>
 *   <li>{@code liveHeap}: the largest heap occupancy right after a collection, over every
 *       collection during the job (from the collectors' notifications): the job's live set;
 *   <li>{@code peakHeap}: the heap pools' peak usage during the job, garbage included;
 *   <li>{@code peakRss}: the process's resident-memory high-water mark ({@code VmHWM}), reset
 *       just before the job (via {@code /proc/self/clear_refs} where allowed);
 *   <li>{@code rate}, {@code gcs}, {@code gc}: events per second, collections, collector names.
 * </ul>
 *
 * <p>Arguments: {@code host port datacenter keyspace.table expectedAssets pageSize}.
 */
public final class MemoryChild {
  private MemoryChild() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String datacenter = args[2];
    String table = args[3];
    long expected = Long.parseLong(args[4]);
    int pageSize = Integer.parseInt(args[5]);

    List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    Set<String> heapNames = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    AtomicLong liveHeap = new AtomicLong();
    AtomicLong gcs = new AtomicLong();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
            (CompositeData) notification.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
          if (heapNames.contains(e.getKey())) {
            used += e.getValue().getUsed();
          }
        }
        liveHeap.accumulateAndGet(used, Math::max);
        gcs.incrementAndGet();
      }, null, null);
    }
    String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(gc -> gc.getName().replace(' ', '_')).collect(Collectors.joining("+"));

    CassandraData.Table t = new CassandraData.Table(table.substring(table.indexOf('.') + 1), (int) expected);
    try (CqlSession session = Servers.session(host, port, datacenter)) {
      CassandraReads reads = new CassandraReads(session, t, pageSize);
      reads.selector().shards(); // connection, schema and prepared statements before the measured part
      System.gc();
      liveHeap.set(0);
      gcs.set(0);
      heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
      resetRssPeak();
      LongAdder handled = new LongAdder();
      long t0 = System.nanoTime();
      JobReport report = ReprocessJob.builder("bench-memory-" + expected)
          .selector(reads.selector())
          .handler(e -> {
            handled.increment();
            return Outcome.SUCCEEDED;
          })
          .pageSize(pageSize)
          .meterRegistry(new SimpleMeterRegistry())
          .build()
          .run()
          .throwIfFailed();
      double rate = expected / Stats.seconds(t0);
      long peakHeap = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      long peakRss = statusKb("VmHWM") * 1024;
      Reads.check("memory job", report.succeeded(), expected);
      Reads.check("memory job (handler calls)", handled.sum(), expected);
      System.out.println(String.format(Locale.ROOT,
          "RESULT liveHeap=%d peakHeap=%d peakRss=%d rate=%.0f gcs=%d maxHeap=%d gc=%s",
          liveHeap.get(), peakHeap, peakRss, rate, gcs.get(), Runtime.getRuntime().maxMemory(), collectors));
    }
  }

  /** Resets the kernel's VmHWM to the current RSS, so the peak is the job's (Linux 4.0+; ignored elsewhere). */
  private static void resetRssPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not allowed: the peak then includes start-up, the same for every size.
    }
  }

  private static long statusKb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
      }
    }
    return -1;
  }
}
