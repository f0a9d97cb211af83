package dev.reprocess.examples;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.reprocess.testkit.CassandraServer;
import dev.reprocess.testkit.ElasticsearchServer;
import dev.reprocess.testkit.KafkaServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends of one command: the clusters named by the connection options, or servers started on
 * this machine through the testkit ({@link CassandraServer}, {@link KafkaServer}, {@link
 * ElasticsearchServer}) with their data in fixed folders under the embedded directory, so that the
 * next run finds the catalog and the checkpoints again. Embedded servers reuse their ports of the
 * last run when free, and a start first waits for servers of an earlier run that are still stopping
 * (after a kill, the testkit's watchdog stops them) so that two servers never share a data folder.
 *
 * <p>Only the backends a command asks for are started, in parallel. {@link #close()} closes the
 * clients and stops the embedded servers; closing twice is harmless. Not thread-safe: one command
 * uses it from its main thread (and its shutdown hook, through {@link #close()}).
 */
final class Backends implements AutoCloseable {
  enum Kind {
    CASSANDRA, KAFKA, ELASTICSEARCH
  }

  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  private static final Duration OLD_SERVER_WAIT = Duration.ofSeconds(60);
  /** Generous: a busy laptop can take minutes to start Cassandra on a large data folder. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

  private final ConnectionOptions options;
  private final PrintWriter out;
  private final List<AutoCloseable> servers = new ArrayList<>();
  private CqlSession session;
  private ElasticsearchClient elasticsearch;
  private String cassandraAddress;
  private String kafkaBootstrap;
  private String elasticsearchUrl;
  private boolean closed;

  Backends(ConnectionOptions options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Makes {@code kinds} available: starts the embedded servers among them that no option names, in
   * parallel, and waits until they are ready.
   *
   * @throws dev.reprocess.testkit.BackendException if a server cannot start
   */
  Backends require(Set<Kind> kinds) {
    Path dir = options.embeddedDir();
    EmbeddedState state = null;
    List<Thread> starts = new ArrayList<>();
    List<RuntimeException> failures = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("backends are closed");
      }
      for (Kind kind : EnumSet.copyOf(kinds)) {
        if (address(kind) != null) {
          continue;
        }
        String given = switch (kind) {
          case CASSANDRA -> options.cassandra;
          case KAFKA -> options.kafka;
          case ELASTICSEARCH -> options.elasticsearch;
        };
        if (given != null) {
          setAddress(kind, given);
          continue;
        }
        if (state == null) {
          state = EmbeddedState.load(dir);
        }
        EmbeddedState s = state;
        // One thread per server: they start in parallel (the common pool may have a single thread here).
        Thread t = new Thread(() -> {
          try {
            startEmbedded(kind, dir, s);
          } catch (RuntimeException e) {
            synchronized (failures) {
              failures.add(e);
            }
          }
        }, "start-" + kind.name().toLowerCase(Locale.ROOT));
        starts.add(t);
      }
    }
    starts.forEach(Thread::start);
    try {
      for (Thread t : starts) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the embedded servers", e);
    } finally {
      if (state != null) {
        state.save();
      }
    }
    synchronized (failures) {
      if (!failures.isEmpty()) {
        RuntimeException first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        throw first;
      }
    }
    return this;
  }

  private void startEmbedded(Kind kind, Path dir, EmbeddedState state) {
    String name = kind.name().toLowerCase(Locale.ROOT);
    Path folder = dir.resolve(name);
    state.awaitOldServer(name, folder, out);
    out.printf("starting embedded %s (data in %s)...%n", display(kind), folder);
    AutoCloseable server;
    String address;
    String ready;
    switch (kind) {
      case CASSANDRA -> {
        int[] p = state.ports(name, 2);
        CassandraServer c = CassandraServer.builder().directory(folder).keepData(true)
            .nativePort(p[0]).storagePort(p[1]).startTimeout(START_TIMEOUT).start();
        server = c;
        address = c.contactPoint().getHostString() + ":" + c.nativePort();
        ready = seconds(c.startupTime());
        state.pid(name, c.pid());
      }
      case KAFKA -> {
        int[] p = state.ports(name, 2);
        KafkaServer k = KafkaServer.builder().directory(folder).keepData(true)
            .port(p[0]).controllerPort(p[1]).startTimeout(START_TIMEOUT).start();
        server = k;
        address = k.bootstrapServers();
        ready = seconds(k.startupTime());
        state.pid(name, k.pid());
      }
      default -> {
        int[] p = state.ports(name, 2);
        ElasticsearchServer e = ElasticsearchServer.builder().directory(folder).keepData(true)
            .httpPort(p[0]).transportPort(p[1]).startTimeout(START_TIMEOUT).start();
        server = e;
        address = e.url();
        ready = seconds(e.startupTime());
        state.pid(name, e.pid());
      }
    }
    synchronized (servers) {
      servers.add(server);
    }
    setAddress(kind, address);
    out.printf("embedded %s ready at %s in %s%n", display(kind), address, ready);
  }

  private static String display(Kind kind) {
    return switch (kind) {
      case CASSANDRA -> "Cassandra";
      case KAFKA -> "Kafka";
      case ELASTICSEARCH -> "Elasticsearch";
    };
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private synchronized String address(Kind kind) {
    return switch (kind) {
      case CASSANDRA -> cassandraAddress;
      case KAFKA -> kafkaBootstrap;
      case ELASTICSEARCH -> elasticsearchUrl;
    };
  }

  private synchronized void setAddress(Kind kind, String address) {
    switch (kind) {
      case CASSANDRA -> cassandraAddress = address;
      case KAFKA -> kafkaBootstrap = address;
      case ELASTICSEARCH -> elasticsearchUrl = address;
    }
  }

  /** The Cassandra session (opened on first call), over the embedded or given cluster. */
  synchronized CqlSession cassandra() {
    if (session == null) {
      String address = require(cassandraAddress, Kind.CASSANDRA);
      int port = OptionChecks.hostPort("--cassandra", address);
      InetSocketAddress contact = new InetSocketAddress(address.substring(0, address.lastIndexOf(':')), port);
      session = CqlSession.builder()
          .addContactPoint(contact)
          .withLocalDatacenter(options.cassandraDatacenter)
          .withConfigLoader(DriverConfigLoader.programmaticBuilder()
              .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
              .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
              .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
              .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
              .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 1024)
              .build())
          .build();
    }
    return session;
  }

  /** The Kafka bootstrap servers. */
  synchronized String kafka() {
    return require(kafkaBootstrap, Kind.KAFKA);
  }

  /** The Elasticsearch client (created on first call). */
  synchronized ElasticsearchClient elasticsearch() {
    if (elasticsearch == null) {
      String url = require(elasticsearchUrl, Kind.ELASTICSEARCH);
      elasticsearch = ElasticsearchClient.of(b -> b.host(url));
    }
    return elasticsearch;
  }

  /** The Elasticsearch URL. */
  synchronized String elasticsearchUrl() {
    return require(elasticsearchUrl, Kind.ELASTICSEARCH);
  }

  private static String require(String address, Kind kind) {
    if (address == null) {
      throw new IllegalStateException(kind + " was not required by this command");
    }
    return address;
  }

  /** Closes the clients, then stops the embedded servers, in parallel. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the Cassandra session failed: {}", e.toString());
      }
    }
    if (elasticsearch != null) {
      try {
        elasticsearch.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("closing the Elasticsearch client failed: {}", e.toString());
      }
    }
    List<AutoCloseable> toStop;
    synchronized (servers) {
      toStop = List.copyOf(servers);
    }
    if (toStop.isEmpty()) {
      return;
    }
    out.println("stopping embedded servers...");
    List<Thread> stops = new ArrayList<>();
    for (AutoCloseable server : toStop) {
      Thread t = new Thread(() -> {
        try {
          server.close();
        } catch (Exception e) {
          LOG.warn("stopping {} failed: {}", server, e.toString());
        }
      }, "stop-" + server);
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * {@code ports.properties} and {@code pids.properties} of the embedded directory: the ports each
   * server used last (reused when free, so that Kafka's controller keeps its address), and the
   * server processes started last (waited for when still alive).
   */
  static final class EmbeddedState {
    private final Path dir;
    private final Properties ports = new Properties();
    private final Properties pids = new Properties();

    private EmbeddedState(Path dir) {
      this.dir = dir;
    }

    static EmbeddedState load(Path dir) {
      EmbeddedState s = new EmbeddedState(dir);
      try {
        Files.createDirectories(dir);
        read(dir.resolve("ports.properties"), s.ports);
        read(dir.resolve("pids.properties"), s.pids);
      } catch (IOException e) {
        throw new IllegalArgumentException("--embedded-dir (or REPROCESS_EMBEDDED_DIR) is '" + dir + "': it must be"
            + " a directory this program can create, read and write (" + e + ")", e);
      }
      return s;
    }

    private static void read(Path file, Properties into) throws IOException {
      if (Files.isRegularFile(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          into.load(in);
        }
      }
    }

    synchronized void save() {
      try {
        write(dir.resolve("ports.properties"), ports, "ports of the embedded servers, reused when free");
        write(dir.resolve("pids.properties"), pids, "process ids of the embedded servers last started");
      } catch (IOException e) {
        LOG.warn("could not save the embedded state in {}: {}", dir, e.toString());
      }
    }

    private static void write(Path file, Properties p, String comment) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (OutputStream o = Files.newOutputStream(tmp)) {
        p.store(o, comment);
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code n} ports for {@code server}: those of the last run when all are free, else new free ones. */
    synchronized int[] ports(String server, int n) {
      int[] result = new int[n];
      boolean reuse = true;
      for (int i = 0; i < n; i++) {
        String v = ports.getProperty(server + "." + i);
        result[i] = v == null ? 0 : Integer.parseInt(v);
        reuse &= result[i] > 0 && isFree(result[i]);
      }
      if (!reuse) {
        List<ServerSocket> held = new ArrayList<>();
        try {
          for (int i = 0; i < n; i++) {
            ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            held.add(socket);
            result[i] = socket.getLocalPort();
          }
        } catch (IOException e) {
          throw new UncheckedIOException("no free loopback port for " + server, e);
        } finally {
          for (ServerSocket socket : held) {
            try {
              socket.close();
            } catch (IOException ignored) {
              // the port is free again either way
            }
          }
        }
      }
      for (int i = 0; i < n; i++) {
        ports.setProperty(server + "." + i, Integer.toString(result[i]));
      }
      return result;
    }

    private static boolean isFree(int port) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** Remembers the server process by pid and start time, which together name one process. */
    synchronized void pid(String server, long pid) {
      String start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
          .map(i -> Long.toString(i.toEpochMilli())).orElse("?");
      pids.setProperty(server, pid + "@" + start);
    }

    /**
     * Waits until the server process an earlier run started on {@code folder} has exited (it is
     * still stopping after that run was killed), up to a minute.
     *
     * @throws IllegalStateException if it is still alive after that
     */
    void awaitOldServer(String server, Path folder, PrintWriter out) {
      String v;
      synchronized (this) {
        v = pids.getProperty(server);
      }
      if (v == null || !v.contains("@")) {
        return;
      }
      long pid = Long.parseLong(v.substring(0, v.indexOf('@')));
      String start = v.substring(v.indexOf('@') + 1);
      Optional<ProcessHandle> old = ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(i -> Long.toString(i.toEpochMilli()).equals(start)).orElse(false));
      if (old.isEmpty()) {
        return;
      }
      out.printf("waiting for the embedded %s of an earlier run (pid %d) to stop...%n", server, pid);
      try {
        old.get().onExit().get(OLD_SERVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException("the embedded " + server + " of an earlier run (pid " + pid
            + ") still runs on " + folder + " after " + OLD_SERVER_WAIT.toSeconds() + " s; stop it first");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the old " + server + " to stop", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("waiting for the old " + server + " failed", e);
      }
    }
  }
}
