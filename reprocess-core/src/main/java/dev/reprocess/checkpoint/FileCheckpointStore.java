package dev.reprocess.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.Cursor;
import dev.reprocess.JobLease;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps checkpoints in files: one JSON file per job, {@code <dir>/<jobName>.checkpoints.json},
 * holding every shard's checkpoint. Each {@link #save} writes the whole file to a temporary file in
 * the same directory, forces it to disk, and atomically renames it over the old one, so a crash of
 * the JVM (or of the machine) at any moment leaves either the previous or the new file, never a
 * torn one.
 *
 * <p>File shape: {@code {"jobName":"…","shards":{"<shardId>":{"cursor":"…"|null,
 * "state":"IN_PROGRESS"|"COMPLETED","selected":0,"succeeded":0,"skipped":0,"deadLettered":0,
 * "updatedAt":"2026-…Z"}}}}. The job's selection definition (see {@link
 * dev.reprocess.AssetSelector#selectionDefinition()}) is kept beside it, as UTF-8 text in {@code
 * <dir>/<jobName>.selection.txt}, written the same atomic way; {@link #delete} removes both.
 *
 * <p>Thread-safe: saves of one job are serialized; jobs are independent. A save costs one write of
 * the job's file, so this store suits jobs up to a few thousand shards; use the Cassandra store
 * beyond. One process at a time runs a given job: the job's lease is an OS file lock (see {@link
 * #acquireLease}). The directory is created if
 * missing, on first use (the constructor does no I/O).
 */
public final class FileCheckpointStore implements CheckpointStore {

  private static final String SUFFIX = ".checkpoints.json";
  private static final String SELECTION_SUFFIX = ".selection.txt";
  private static final ObjectMapper MAPPER = EventJson.mapper();

  private final Path dir;
  private final Map<String, Map<String, Checkpoint>> cache = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /**
   * @param dir the directory holding the files; created on first save if missing
   */
  public FileCheckpointStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The directory holding the files. */
  public Path directory() {
    return dir;
  }

  private static final java.util.regex.Pattern JOB_NAME =
      java.util.regex.Pattern.compile(dev.reprocess.ReprocessJob.NAME_PATTERN);

  /**
   * The file of a job's checkpoints: {@code <dir>/<jobName>.checkpoints.json}.
   *
   * @throws IllegalArgumentException if {@code jobName} is null or breaks {@link
   *     dev.reprocess.ReprocessJob#NAME_PATTERN} (a name such as {@code "../x"} would put the file
   *     outside the directory); {@link #load}, {@link #save} and {@link #delete} check it too
   */
  public Path fileOf(String jobName) {
    if (jobName == null || !JOB_NAME.matcher(jobName).matches()) {
      throw new IllegalArgumentException("jobName is " + (jobName == null ? "null" : "'" + jobName + "'")
          + ": a job name must match " + dev.reprocess.ReprocessJob.NAME_PATTERN
          + " (it becomes a file name)");
    }
    return dir.resolve(jobName + SUFFIX);
  }

  /** Reads the job's file every time: another process may have written it (under its lease) since. */
  @Override
  public Map<String, Checkpoint> load(String jobName) {
    fileOf(jobName);
    synchronized (lockOf(jobName)) {
      Map<String, Checkpoint> shards = read(jobName);
      cache.put(jobName, shards);
      return Map.copyOf(shards);
    }
  }

  /**
   * Writes the job's file: the checkpoints this object last loaded or wrote, with this one. A run
   * loads them (under its lease) before its first save, so it never writes over another process's
   * progress.
   */
  @Override
  public void save(Checkpoint checkpoint) {
    saveAll(List.of(Objects.requireNonNull(checkpoint, "checkpoint")));
  }

  /** Several checkpoints of one job in one write of its file (a lease's round: see {@link FileLease}). */
  void saveAll(List<Checkpoint> checkpoints) {
    if (checkpoints.isEmpty()) {
      return;
    }
    String job = checkpoints.get(0).jobName();
    fileOf(job);
    synchronized (lockOf(job)) {
      Map<String, Checkpoint> shards = new TreeMap<>(loaded(job));
      for (Checkpoint c : checkpoints) {
        if (!c.jobName().equals(job)) {
          throw new IllegalArgumentException("checkpoints of jobs '" + job + "' and '" + c.jobName()
              + "' in one save: a save holds one job's");
        }
        shards.put(c.shardId(), c);
      }
      write(job, shards);
      cache.put(job, shards);
    }
  }

  @Override
  public void delete(String jobName) {
    fileOf(jobName);
    synchronized (lockOf(jobName)) {
      try {
        Files.deleteIfExists(fileOf(jobName));
        Files.deleteIfExists(dir.resolve(jobName + SELECTION_SUFFIX));
      } catch (IOException e) {
        throw new ReprocessException("job '" + jobName + "': cannot delete checkpoint file "
            + fileOf(jobName) + ": " + e, e);
      }
      cache.put(jobName, Map.of());
    }
  }

  /**
   * Creates the directory if missing and a temporary file in it, then deletes that file: the
   * checkpoint file is written the same way, so a directory that cannot take it fails the job
   * before its first event. The job's checkpoint file is not touched.
   *
   * @throws ReprocessException naming the directory and the reason
   */
  @Override
  public void preflight(String jobName) {
    fileOf(jobName);
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, jobName + ".", ".preflight"));
    } catch (IOException e) {
      throw new ReprocessException("job '" + jobName + "': checkpoint directory " + dir
          + " cannot take the job's checkpoint file: " + e, e);
    }
  }

  @Override
  public Optional<String> loadSelection(String jobName) {
    Path file = fileOf(jobName).resolveSibling(jobName + SELECTION_SUFFIX);
    synchronized (lockOf(jobName)) {
      try {
        return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new ReprocessException("job '" + jobName + "': cannot read selection file " + file
            + ": " + e, e);
      }
    }
  }

  @Override
  public void saveSelection(String jobName, String definition) {
    Objects.requireNonNull(definition, "definition");
    Path file = fileOf(jobName).resolveSibling(jobName + SELECTION_SUFFIX);
    synchronized (lockOf(jobName)) {
      writeAtomically(jobName, file, definition.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * An exclusive OS file lock on {@code <dir>/<jobName>.lease}, held until the lease is closed or
   * the process ends (even by SIGKILL: the next process takes over at once). A live holder, even
   * frozen, keeps it, whatever {@code takeOverExpired} says; {@code timeToLive} only dates the
   * renewals written in the file. Fencing tokens grow from 1 per job, kept in that file. Requires a
   * local file system with working locks (not every network file system has them).
   */
  @Override
  public JobLease acquireLease(String jobName, String owner, Duration timeToLive,
      boolean takeOverExpired) {
    Path file = fileOf(jobName).resolveSibling(jobName + ".lease");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(timeToLive, "timeToLive");
    return FileLease.acquire(jobName, file, owner, timeToLive, this::saveAll);
  }

  @Override
  public boolean keepsSelection() {
    return true;
  }

  private Object lockOf(String jobName) {
    return locks.computeIfAbsent(jobName, j -> new Object());
  }

  private Map<String, Checkpoint> loaded(String job) {
    Map<String, Checkpoint> shards = cache.get(job);
    if (shards == null) {
      shards = read(job);
      cache.put(job, shards);
    }
    return shards;
  }

  private Map<String, Checkpoint> read(String job) {
    Path file = fileOf(job);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new ReprocessException("job '" + job + "': cannot read checkpoint file " + file + ": " + e, e);
    }
    try {
      FileShape shape = MAPPER.readValue(bytes, FileShape.class);
      Map<String, Checkpoint> shards = new TreeMap<>();
      if (shape.shards() != null) {
        shape.shards().forEach((shardId, s) -> shards.put(shardId, new Checkpoint(job, shardId,
            s.cursor() == null ? null : Cursor.of(s.cursor()), s.state(), s.selected(),
            s.succeeded(), s.skipped(), s.deadLettered(), s.updatedAt())));
      }
      return shards;
    } catch (IOException | RuntimeException e) {
      throw new ReprocessException("job '" + job + "': checkpoint file " + file
          + " is not a valid checkpoint file: " + e.getMessage(), e);
    }
  }

  private void write(String job, Map<String, Checkpoint> shards) {
    Map<String, ShardShape> out = new LinkedHashMap<>();
    shards.forEach((id, c) -> out.put(id, new ShardShape(
        c.cursor() == null ? null : c.cursor().value(), c.state(), c.selected(), c.succeeded(),
        c.skipped(), c.deadLettered(), c.updatedAt())));
    byte[] bytes;
    try {
      bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(new FileShape(job, out));
    } catch (IOException e) {
      throw new ReprocessException("job '" + job + "': cannot encode checkpoints: " + e, e);
    }
    writeAtomically(job, fileOf(job), bytes);
  }

  /** Writes a temporary file, forces it to disk and renames it over {@code file}. */
  private void writeAtomically(String job, Path file, byte[] bytes) {
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, job + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new ReprocessException("job '" + job + "': the file system of " + dir
            + " cannot replace files atomically, so checkpoints there could be torn by a crash", e);
      }
      tmp = null;
    } catch (IOException e) {
      throw new ReprocessException("job '" + job + "': cannot write " + file + ": " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray temporary file is harmless
        }
      }
    }
  }

  @Override
  public String toString() {
    return "FileCheckpointStore[" + dir + "]";
  }

  record FileShape(String jobName, Map<String, ShardShape> shards) {}

  record ShardShape(String cursor, Checkpoint.State state, long selected, long succeeded,
      long skipped, long deadLettered, Instant updatedAt) {}
}
