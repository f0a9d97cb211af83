package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.session.Request;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The safety case's production workload: point reads and writes by primary key on the reference
 * table, half each, sent open-loop at a fixed rate. Each request's latency is measured from the
 * moment it was due, not from when it was sent, so a stall of the sender or the cluster shows in
 * the figures instead of being hidden by the requests it delayed (coordinated omission). Latencies
 * go to an HdrHistogram {@link Recorder} (microseconds), read one interval at a time, and to a
 * Micrometer timer (the host's own p99, for the timer signal).
 */
final class OpenLoopLoad implements AutoCloseable {

  /** A row's primary key. */
  record Key(String type, String bucket, UUID id) {}

  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
  /**
   * Requests in flight at most, as a service's connection pool would bound them: past it the sender
   * waits, and the wait counts in the latency of the requests it delays.
   */
  static final int MAX_OUTSTANDING = 256;

  private final CqlSession session;
  private final PreparedStatement read;
  private final PreparedStatement write;
  private final List<Key> keys;
  private final double rate;
  private final Timer timer;
  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final LongAdder errors = new LongAdder();
  private final Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
  private volatile boolean running;
  private Thread sender;

  OpenLoopLoad(CqlSession session, String table, List<Key> keys, double ratePerSecond, Timer timer) {
    this.session = session;
    this.read = session.prepare("SELECT asset_id FROM " + table + " WHERE asset_type = ? AND bucket = ? AND asset_id = ?");
    this.write = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    this.keys = keys;
    this.rate = ratePerSecond;
    this.timer = timer;
  }

  /** Whether a request is one of production's (for the driver signal's filter). */
  boolean isProduction(Request request) {
    return request instanceof BoundStatement b
        && (b.getPreparedStatement() == read || b.getPreparedStatement() == write);
  }

  void start() {
    running = true;
    sender = new Thread(this::send, "safety-production-load");
    sender.setDaemon(true);
    sender.start();
  }

  private void send() {
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    for (long i = 0; running; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      outstanding.acquireUninterruptibly();
      Key k = keys.get((int) (i % keys.size()));
      PreparedStatement ps = (i & 1) == 0 ? read : write;
      session.executeAsync(ps.bind(k.type(), k.bucket(), k.id())).whenComplete((rs, error) -> {
        long nanos = System.nanoTime() - due;
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
        timer.record(nanos, TimeUnit.NANOSECONDS);
        if (error != null) {
          errors.increment();
        }
        outstanding.release();
      });
    }
  }

  /** The latencies recorded since the last call (microseconds). */
  Histogram interval() {
    return recorder.getIntervalHistogram();
  }

  /** Requests that failed so far. */
  long errors() {
    return errors.sum();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (sender != null) {
      sender.join();
    }
  }
}
