package dev.reprocess.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseHolder;
import dev.reprocess.LeaseLostException;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A {@link FileCheckpointStore}'s lease: an exclusive OS lock ({@link FileChannel#tryLock()}) on
 * {@code <dir>/<jobName>.lease}, held for the run. The OS releases it when the process ends, even
 * by SIGKILL, so the next process can take over at once; a live (even frozen) holder keeps it, so
 * two processes never hold it together and the lock itself fences the saves. The file holds the
 * holder's owner id, fencing token and renewal times as JSON, for the refusal message and the next
 * token; it is never deleted. Thread-safe.
 *
 * <p>An OS lock belongs to the whole process, and closing any channel on the file releases it. So a
 * process never opens a second channel on a lease file it holds: the leases this class loader
 * holds are registered, and an acquisition of one of them is refused from the registry; and a
 * channel whose lock attempt overlapped a lock of this JVM (held through another class loader) is
 * kept open, never closed.
 */
final class FileLease implements JobLease {

  private static final ObjectMapper MAPPER = EventJson.mapper();
  /** The leases held in this class loader, by lease file (absolute, normalized); guarded by itself. */
  private static final Map<Path, FileLease> HELD = new HashMap<>();
  /** Channels that must stay open: closing them would release another holder's lock in this JVM. */
  private static final List<FileChannel> KEPT_OPEN = new ArrayList<>();

  private final String job;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Duration ttl;
  private final Consumer<List<Checkpoint>> store;
  private volatile LeaseHolder mine;

  private FileLease(String job, Path file, FileChannel channel, FileLock lock, Duration ttl,
      Consumer<List<Checkpoint>> store, LeaseHolder mine) {
    this.job = job;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.ttl = ttl;
    this.store = store;
    this.mine = mine;
  }

  static JobLease acquire(String job, Path file, String owner, Duration ttl, Consumer<List<Checkpoint>> store) {
    Path key = file.toAbsolutePath().normalize();
    synchronized (HELD) {
      FileLease ours = HELD.get(key);
      if (ours != null) {
        throw held(job, file, ours.mine, "in this process");
      }
      FileLease lease = lock(job, file, owner, ttl, store);
      HELD.put(key, lease);
      return lease;
    }
  }

  private static FileLease lock(String job, Path file, String owner, Duration ttl, Consumer<List<Checkpoint>> store) {
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        KEPT_OPEN.add(channel); // held through another class loader: closing would release it
        FileChannel kept = channel;
        channel = null;
        throw held(job, file, readWritten(kept), "in this process (another class loader)");
      }
      if (lock == null) {
        throw held(job, file, readWritten(channel), "elsewhere");
      }
      LeaseHolder previous = read(channel);
      Instant now = Instant.now();
      LeaseHolder mine = new LeaseHolder(owner, previous == null ? 1 : previous.fencingToken() + 1,
          now, now.plus(ttl));
      write(channel, mine);
      FileLease lease = new FileLease(job, file, channel, lock, ttl, store, mine);
      channel = null;
      return lease;
    } catch (IOException e) {
      throw new ReprocessException("job '" + job + "': cannot lock lease file " + file + ": " + e, e);
    } finally {
      closeQuietly(channel);
    }
  }

  private static LeaseHeldException held(String job, Path file, LeaseHolder holder, String where) {
    LeaseHolder shown = holder != null ? holder
        : new LeaseHolder("unknown (lease file being written)", 0, Instant.EPOCH, Instant.EPOCH);
    return new LeaseHeldException("job '" + job + "': running " + where + ": its lease is held by "
        + shown + ", with an OS lock on " + file + " that lasts as long as that process: wait for"
        + " it, or set onRunningElsewhere(WAIT)", shown);
  }

  @Override
  public String jobName() {
    return job;
  }

  @Override
  public LeaseHolder holder() {
    return mine;
  }

  @Override
  public synchronized void renew() {
    checkHeld("renewing the lease");
    Instant now = Instant.now();
    LeaseHolder renewed = new LeaseHolder(mine.owner(), mine.fencingToken(), now, now.plus(ttl));
    try {
      write(channel, renewed);
    } catch (IOException e) {
      throw new ReprocessException("job '" + job + "': cannot write lease file " + file + ": " + e, e);
    }
    mine = renewed;
  }

  @Override
  public void save(Checkpoint checkpoint) {
    checkHeld("saving the checkpoint of shard " + checkpoint.shardId());
    store.accept(List.of(checkpoint));
  }

  /** One write of the job's file for all of them. */
  @Override
  public void saveAll(List<Checkpoint> checkpoints) {
    checkHeld("saving the checkpoints of " + checkpoints.size() + " shards");
    store.accept(checkpoints);
  }

  @Override
  public synchronized void close() {
    synchronized (HELD) {
      HELD.remove(file.toAbsolutePath().normalize(), this);
      closeQuietly(channel);
    }
  }

  private void checkHeld(String what) {
    if (!lock.isValid()) {
      throw new LeaseLostException("job '" + job + "': " + what + " refused: the lock on " + file
          + " (fencing token " + mine.fencingToken() + ") is no longer held");
    }
  }

  /** The holder's record, waiting up to 1 s for a holder that just took the lock to write it. */
  private static LeaseHolder readWritten(FileChannel channel) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      LeaseHolder holder = read(channel);
      if (holder != null) {
        return holder;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static LeaseHolder read(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(channel.size(), 64 * 1024));
    while (buf.hasRemaining() && channel.read(buf, buf.position()) > 0) {
      // read to the end
    }
    if (buf.position() == 0) {
      return null;
    }
    try {
      return MAPPER.readValue(buf.array(), 0, buf.position(), LeaseHolder.class);
    } catch (IOException | RuntimeException torn) {
      return null;
    }
  }

  private static void write(FileChannel channel, LeaseHolder holder) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(MAPPER.writeValueAsBytes(holder));
    channel.truncate(0);
    long position = 0;
    while (buf.hasRemaining()) {
      position += channel.write(buf, position);
    }
    channel.force(false);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing releases the lock; nothing more to do
      }
    }
  }
}
