package dev.reprocess.kafka.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.reprocess.AssetSelector;
import dev.reprocess.EventHandler;
import dev.reprocess.JobListener;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.internal.JobHost;
import dev.reprocess.kafka.DistributedJob;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A selection host of a distributed job (or, in mode {@code plain}, the same job as one ordinary
 * {@link ReprocessJob}), for {@code DistributedSelectionIT}: a time-bucket selection of the
 * reference table with checkpoints in Cassandra; the handler appends each asset id to a file with
 * one unbuffered write; 16 handler threads per job (a record job of the {@code jobPerShard} modes gets {@code
 * 16 / shardsInParallel}).
 * Prints {@code STARTED <epochMillis>}, {@code PUBLISHED <true|false>} (whether this host's
 * {@code publishShards()} wrote the shards), {@code SHARD-START <shardJob>
 * <epochMillis>} and {@code SHARD-END <shardJob> <status> <epochMillis> cpuMillis=<CPU so far> jitMillis=<JIT
 * compilation so far>} per shard job (the first start also prints {@code FIRST-SHARD cpuMillis=<CPU so far>
 * jitMillis=<n> at=<epochMillis>}), then {@code
 * RESULT <status> cpuMillis=<CPU of this process from STARTED to the end> wallMillis=<n> selected=<n>
 * <failure>}; exits 0 when the job completed, 3 otherwise. Arguments: host port datacenter table
 * checkpointTable bootstrap jobName outFile pageSize maxEventsPerSecond shardsInParallel mode from
 * to takeoverSeconds type..., where {@code takeoverSeconds} is both the consumer's {@code
 * session.timeout.ms} (heartbeats every third of it) and the shard jobs' {@code leaseTimeToLive}:
 * what bounds the takeover after a host dies. Mode {@code pairs} runs both in turn in this process
 * (see {@link #runPairs}).
 */
public final class DistributedHostChild {
  /**
   * System property naming a file: if set, the host (or the plain job) waits until the file exists
   * before it runs, so that the hosts of a measurement start their shard work together.
   */
  public static final String GO_FILE = "distributed.goFile";
  /** System property: the jobs' {@code checkpointInterval} in milliseconds; default 0 (after every page). */
  public static final String CHECKPOINT_INTERVAL_MILLIS = "distributed.checkpointIntervalMillis";
  /** System property: the distributed job's {@code shardsPerRecord}; default 1. */
  public static final String SHARDS_PER_RECORD = "distributed.shardsPerRecord";
  /** System property: mode {@code pairs}'s number of pairs (plain job, host); default 1. */
  public static final String PAIRS = "distributed.pairs";
  /**
   * System property: mode {@code pairs}'s runs per pair, among {@code plain}, {@code host}, {@code
   * hosts<n>} ({@code n} hosts of one job in this process, each with its own consumer in the group,
   * started together: what several hosts cost once the process is warm) and {@code jobs} (the record
   * jobs of the design before host jobs, on a {@link JobHost}, 4 at a time, without Kafka); default
   * {@code plain,host}.
   */
  public static final String PAIR_KINDS = "distributed.pairKinds";
  private static volatile long cpuStart;
  private static final java.util.concurrent.atomic.AtomicBoolean FIRST = new java.util.concurrent.atomic.AtomicBoolean();

  private DistributedHostChild() {}

  public static void main(String[] args) throws Exception {
    InetSocketAddress contactPoint = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    JobStatus status;
    String line;
    try (CqlSession session = CqlSession.builder().addContactPoint(contactPoint).withLocalDatacenter(args[2])
            .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20)).build()).build();
        FileChannel out = FileChannel.open(Path.of(args[7]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      EventHandler handler = EventHandler.of(event -> {
        byte[] bytes = (event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
          out.write(ByteBuffer.wrap(bytes));
        }
      });
      AssetSelector selector = TimeBucketSelector.builder(session).table(args[3])
          .assetTypes(List.of(args).subList(15, args.length))
          .window(Instant.parse(args[12]), Instant.parse(args[13])).build();
      CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(args[4]).build();
      int pageSize = Integer.parseInt(args[8]);
      double rate = Double.parseDouble(args[9]);
      int shardsInParallel = Integer.parseInt(args[10]);
      boolean plain = args[11].equals("plain");
      boolean jobPerShard = args[11].startsWith("jobPerShard");
      boolean hosted = args[11].equals("jobPerShardHosted");
      Duration takeover = Duration.ofSeconds(Long.parseLong(args[14]));
      Consumer<ReprocessJob.Builder> options = b -> {
        // The same handler threads per process: 16 for the plain job and for a host's job (16 / shardsInParallel
        // per record job in the jobPerShard modes).
        b.handler(handler).pageSize(pageSize).listener(printer())
            // After every page by default: the crash bound the IT checks.
            .checkpointInterval(Duration.ofMillis(Long.getLong(CHECKPOINT_INTERVAL_MILLIS, 0)))
            .leaseTimeToLive(takeover)
            .concurrency(16);
        if (rate > 0) {
          b.maxEventsPerSecond(rate);
        }
      };
      cpuStart = cpuNanos();
      long wallStart = System.currentTimeMillis();
      print("STARTED " + wallStart);
      if (args[11].equals("pairs")) {
        awaitGo();
        line = runPairs(args, selector, store, shardsInParallel, takeover, options);
        status = JobStatus.COMPLETED;
      } else if (jobPerShard) {
        awaitGo();
        line = runJobPerShard(args[6], selector, store, shardsInParallel, hosted, false, options);
        status = line.startsWith("selected=") ? JobStatus.COMPLETED : JobStatus.FAILED;
      } else if (plain) {
        awaitGo();
        JobReport report = runPlain(args[6], selector, store, shardsInParallel, options);
        status = report.status();
        line = "selected=" + report.selected() + " " + (report.failureCause() == null ? "" : report.failureCause());
      } else {
        DistributedJob job = distributed(args[6], args[5], selector, store, shardsInParallel, takeover, options);
        print("PUBLISHED " + job.publishShards()); // what run() does, in two steps to print the verdict
        awaitGo();
        DistributedJob.HostReport report = job.runHost();
        status = report.status();
        line = "selected=" + report.selected() + " " + (report.failureCause() == null ? "" : report.failureCause());
      }
      line = line.replace('\n', ' ');
      print("RESULT " + status + " cpuMillis=" + (cpuNanos() - cpuStart) / 1_000_000 + " wallMillis="
          + (System.currentTimeMillis() - wallStart) + " " + line);
    }
    System.exit(status == JobStatus.COMPLETED ? 0 : 3);
  }

  /** The plain job: one {@link ReprocessJob} over every shard, {@code shardsInParallel} at a time. */
  private static JobReport runPlain(String name, AssetSelector selector, CassandraCheckpointStore store,
      int shardsInParallel, Consumer<ReprocessJob.Builder> options) {
    ReprocessJob.Builder job = ReprocessJob.builder(name).selector(selector).checkpointStore(store)
        .shardsInParallel(shardsInParallel);
    options.accept(job);
    return job.build().run();
  }

  private static DistributedJob distributed(String name, String bootstrap, AssetSelector selector,
      CassandraCheckpointStore store, int shardsInParallel, Duration takeover, Consumer<ReprocessJob.Builder> options) {
    return DistributedJob.builder(name).bootstrapServers(bootstrap)
        .kafkaProperties(Map.of("session.timeout.ms", (int) takeover.toMillis(),
            "heartbeat.interval.ms", (int) takeover.toMillis() / 3))
        .selector(selector).checkpointStore(store).shardsInParallel(shardsInParallel).replicationFactor(1)
        .shardsPerRecord(Integer.getInteger(SHARDS_PER_RECORD, 1))
        .jobOptions(options).build();
  }

  /**
   * Mode {@code pairs}: {@code -Ddistributed.pairs=N} pairs of runs in this one process, each pair
   * the plain job and one host of a distributed job over the same shards (new job names each
   * run, so each reads every id), in turn first and second. After the first pair the process is
   * warm, so a pair compares the two in the steady state of a long job, where a fresh process's
   * start and JIT compilation no longer weigh. Each run's handler appends its ids to {@code
   * <outFile>.<pair>.<kind>}; each run prints {@code PAIR <pair> <kind> selected=<n>
   * cpuMillis=<process CPU over run()> runningCpuMillis=<from the first job start to the last job
   * end> runningJitMillis=<JIT compilation over the same> jitMillis=<JIT compilation over run()> wallMillis=<n> runningWallMillis=<n> from=<epochMillis>
   * to=<epochMillis>}.
   */
  private static String runPairs(String[] args, AssetSelector selector, CassandraCheckpointStore store,
      int shardsInParallel, Duration takeover, Consumer<ReprocessJob.Builder> options) throws Exception {
    int pairs = Integer.getInteger(PAIRS, 1);
    List<String> kinds = List.of(System.getProperty(PAIR_KINDS, "plain,host").split(","));
    long selected = 0;
    for (int pair = 0; pair < pairs; pair++) {
      for (int k = 0; k < kinds.size(); k++) {
        // In turn first: plain, host in even pairs, host, plain in odd ones (and so on for more kinds).
        String kind = kinds.get(pair % 2 == 0 ? k : kinds.size() - 1 - k);
        boolean host = kind.equals("host");
        try (FileChannel out = FileChannel.open(Path.of(args[7] + "." + pair + "." + kind),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          Window window = new Window();
          Consumer<ReprocessJob.Builder> run = options.andThen(b -> b.handler(EventHandler.of(event -> {
            byte[] bytes = (event.assetId() + "\n").getBytes(StandardCharsets.US_ASCII);
            synchronized (out) {
              out.write(ByteBuffer.wrap(bytes));
            }
          })).listener(window));
          String name = args[6] + "-" + pair + "-" + kind;
          long from = System.currentTimeMillis();
          long jit0 = jitMillis();
          long cpu0 = cpuNanos();
          long wall0 = System.nanoTime();
          long n;
          JobStatus status;
          if (host) {
            DistributedJob job = distributed(name, args[5], selector, store, shardsInParallel, takeover, run);
            job.publishShards();
            DistributedJob.HostReport report = job.runHost();
            status = report.status();
            n = report.selected();
          } else if (kind.startsWith("hosts")) {
            int count = Integer.parseInt(kind.substring("hosts".length()));
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(count);
            List<java.util.concurrent.Future<DistributedJob.HostReport>> reports = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
              DistributedJob job = distributed(name, args[5], selector, store, shardsInParallel, takeover, run);
              reports.add(pool.submit(() -> {
                job.publishShards();
                return job.runHost();
              }));
            }
            status = JobStatus.COMPLETED;
            n = 0;
            for (java.util.concurrent.Future<DistributedJob.HostReport> f : reports) {
              DistributedJob.HostReport report = f.get();
              if (report.status() != JobStatus.COMPLETED) {
                status = report.status();
              }
              n += report.selected();
            }
            pool.shutdown();
          } else if (kind.equals("jobs")) {
            String result = runJobPerShard(name, selector, store, shardsInParallel, true, true, run);
            status = result.startsWith("selected=") ? JobStatus.COMPLETED : JobStatus.FAILED;
            n = status == JobStatus.COMPLETED ? Long.parseLong(result.substring(9).trim()) : 0;
          } else {
            JobReport report = runPlain(name, selector, store, shardsInParallel, run);
            status = report.status();
            n = report.selected();
          }
          long cpu = cpuNanos() - cpu0;
          long wall = System.nanoTime() - wall0;
          if (status != JobStatus.COMPLETED) {
            throw new IllegalStateException(name + " ended " + status);
          }
          selected += n;
          print("PAIR " + pair + " " + kind + " selected=" + n + " cpuMillis=" + cpu / 1_000_000
              + " runningCpuMillis=" + (window.lastCpu - window.firstCpu) / 1_000_000 + " runningJitMillis="
              + (window.lastJit - window.firstJit) + " jitMillis="
              + (jitMillis() - jit0) + " wallMillis=" + wall / 1_000_000 + " runningWallMillis="
              + (window.lastWall - window.firstWall) / 1_000_000 + " from=" + from + " to="
              + System.currentTimeMillis());
        }
      }
    }
    return "selected=" + selected + " ";
  }

  /** The CPU and wall clock at the first job start and the last job end of one run. */
  private static final class Window implements JobListener {
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    volatile long firstCpu;
    volatile long firstJit;
    volatile long firstWall;
    volatile long lastCpu;
    volatile long lastJit;
    volatile long lastWall;

    @Override
    public void onJobStarted(String jobName, List<Shard> shards) {
      if (started.compareAndSet(false, true)) {
        firstCpu = cpuNanos();
        firstJit = jitMillis();
        firstWall = System.nanoTime();
      }
    }

    @Override
    public synchronized void onJobFinished(JobReport report) {
      lastCpu = Math.max(lastCpu, cpuNanos());
      lastJit = Math.max(lastJit, jitMillis());
      lastWall = Math.max(lastWall, System.nanoTime());
    }
  }

  /**
   * Prints {@code SHARD-START <shard id> <epochMillis>} when a job starts a shard, {@code SHARD-END
   * <shard id> COMPLETED <epochMillis> cpuMillis=<n> jitMillis=<n>} when its last checkpoint is written, {@code
   * SHARD-END <shard id> <job status> ...} for each shard a job started and ended without completing, and
   * {@code JOB-END <job> <status> <epochMillis> cpuMillis=<n> jitMillis=<n>} when a job ends.
   */
  private static JobListener printer() {
    return new JobListener() {
      private final Map<String, java.util.Set<String>> unfinished = new java.util.concurrent.ConcurrentHashMap<>();

      @Override
      public void onJobStarted(String jobName, List<Shard> shards) {
        if (FIRST.compareAndSet(false, true)) {
          print("FIRST-SHARD cpuMillis=" + (cpuNanos() - cpuStart) / 1_000_000 + " jitMillis=" + jitMillis() + " at="
              + System.currentTimeMillis());
        }
      }

      @Override
      public void onShardStarted(String jobName, Shard shard, dev.reprocess.Checkpoint resumedFrom) {
        unfinished.computeIfAbsent(jobName, j -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(shard.id());
        print("SHARD-START " + shard.id() + " " + System.currentTimeMillis());
      }

      @Override
      public void onShardCompleted(String jobName, Shard shard, dev.reprocess.Checkpoint checkpoint) {
        unfinished.getOrDefault(jobName, java.util.Set.of()).remove(shard.id());
        print("SHARD-END " + shard.id() + " COMPLETED " + ends());
      }

      @Override
      public void onJobFinished(JobReport report) {
        for (String shard : unfinished.getOrDefault(report.jobName(), java.util.Set.of())) {
          print("SHARD-END " + shard + " " + report.status() + " " + ends());
        }
        unfinished.remove(report.jobName());
        print("JOB-END " + report.jobName() + " " + report.status() + " " + ends());
      }

      private String ends() {
        return System.currentTimeMillis() + " cpuMillis=" + (cpuNanos() - cpuStart) / 1_000_000 + " jitMillis="
            + jitMillis();
      }
    };
  }

  /**
   * Modes {@code jobPerShard} and {@code jobPerShardHosted}: each shard as a job of its own, {@code
   * shardsInParallel} at a time, without Kafka: what a shard job costs apart from the coordination
   * (with the selection check made once, as a host makes it).
   * {@code jobPerShardHosted} starts them on one {@link JobHost} as a distributed host does; {@code
   * jobPerShard} lets each start its own threads, as hosts did before. With {@code grouped}, a job
   * runs a group of {@code -Ddistributed.shardsPerRecord} shards, one at a time, as a host's record's
   * job does.
   */
  private static String runJobPerShard(String name, AssetSelector selector, CassandraCheckpointStore store,
      int shardsInParallel, boolean hosted, boolean grouped, Consumer<ReprocessJob.Builder> options)
      throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(shardsInParallel);
    JobHost host = new JobHost("reprocess-" + name + "-host");
    // The selection check once, as a host makes it (HostSelection), not a read and a write per shard job.
    String definition = selector.selectionDefinition(); // once, as a host computes it
    dev.reprocess.CheckpointStore checked = dev.reprocess.kafka.internal.HostSelection.verify(store, name,
        definition, false);
    List<java.util.concurrent.Future<JobReport>> reports = new java.util.ArrayList<>();
    List<Shard> shards = selector.shards();
    int perJob = grouped ? Integer.getInteger(SHARDS_PER_RECORD, 1) : 1;
    for (int from = 0; from < shards.size(); from += perJob) {
      List<Shard> group = shards.subList(from, Math.min(shards.size(), from + perJob));
      reports.add(pool.submit(() -> {
        ReprocessJob.Builder b = ReprocessJob.builder(name + ".record-" + group.get(0).id().replaceAll("[^A-Za-z0-9._-]", "_"))
            .selector(new dev.reprocess.kafka.internal.RecordSelector(selector, group, definition))
            .checkpointStore(checked);
        options.accept(b);
        b.shardsInParallel(1).concurrency(Math.max(1, 16 / shardsInParallel)); // as a record job of earlier hosts
        ReprocessJob job = b.build();
        if (!hosted) {
          return job.run();
        }
        return host.starting(job::start).completion().toCompletableFuture().get();
      }));
    }
    long selected = 0;
    for (java.util.concurrent.Future<JobReport> f : reports) {
      JobReport r = f.get();
      if (r.status() != JobStatus.COMPLETED) {
        return "failed: " + r;
      }
      selected += r.selected();
    }
    pool.shutdown();
    host.close();
    return "selected=" + selected + " ";
  }

  private static void awaitGo() throws InterruptedException {
    String go = System.getProperty(GO_FILE);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (go != null && !Files.exists(Path.of(go))) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("no " + go + " within 3 minutes");
      }
      Thread.sleep(5);
    }
  }

  /**
   * CPU the JIT compiler threads of this process spent so far, in ms, read from Linux's {@code
   * /proc/self/task/<tid>/stat} (threads named {@code C1/C2 CompilerThre...}); 0 where there is no
   * /proc. The compiler threads are listed once, so a call reads two or three small files, not
   * every thread's (which cost about as much CPU as a page of ids, once per shard job); the
   * measuring children run with {@code -XX:-UseDynamicNumberOfCompilerThreads}, so the list stays
   * whole. A compiler thread that ended is no longer counted and the list is read again.
   */
  private static long jitMillis() {
    List<Path> tasks = compilerTasks;
    if (tasks == null) {
      tasks = compilerTasks = compilerTasks();
    }
    long ticks = 0;
    for (Path task : tasks) {
      try {
        String stat = Files.readString(task);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
      } catch (java.io.IOException | RuntimeException gone) {
        compilerTasks = null; // the thread ended meanwhile
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  private static volatile List<Path> compilerTasks;

  private static List<Path> compilerTasks() {
    List<Path> found = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            found.add(task.resolve("stat"));
          }
        } catch (java.io.IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      return List.of();
    }
    return found;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static synchronized void print(String text) {
    System.out.println(text);
    System.out.flush();
  }
}
