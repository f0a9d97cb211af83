package dev.reprocess.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * CPU time a server process and its descendants used so far (user + system, from Linux {@code
 * /proc/<pid>/stat}), for the server-CPU-per-id rows of {@code --extra}: a busy machine distorts
 * CPU time far less than wall time. Only for servers the harness started (it knows their pid).
 */
final class ServerCpu implements LongSupplier {
  /** Clock ticks per second of {@code /proc/<pid>/stat}: {@code USER_HZ}, 100 on Linux. */
  private static final long TICKS_PER_SECOND = 100;

  private final long pid;

  ServerCpu(long pid) {
    this.pid = pid;
  }

  /** Nanoseconds of CPU the process and every live descendant used so far. */
  @Override
  public long getAsLong() {
    ProcessHandle root = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalStateException("server process " + pid + " is gone"));
    return Stream.concat(Stream.of(root), root.descendants()).mapToLong(ServerCpu::ticks).sum()
        * (1_000_000_000L / TICKS_PER_SECOND);
  }

  private static long ticks(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
    } catch (IOException | RuntimeException e) {
      return 0; // a descendant that just ended
    }
  }
}
