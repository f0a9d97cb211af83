package dev.reprocess.testkit;

import dev.reprocess.testkit.internal.InstanceDirs;
import dev.reprocess.testkit.internal.ManagedProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * Starts Cassandra, Kafka and Elasticsearch (or those named as arguments: {@code cassandra kafka elasticsearch}),
 * prints one "ready" line each and the {@code export REPROCESS_...} lines that point tests at them, writes the same
 * lines to {@code <testkit dir>/backends.env}, and keeps them running until Ctrl-C or SIGTERM, then stops them.
 *
 * <pre>
 * mvn -q -pl reprocess-testkit compile exec:java        # all three
 * mvn -q -pl reprocess-testkit compile exec:java -Dexec.args="cassandra kafka"
 * </pre>
 */
public final class StartBackends {

    private StartBackends() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> wanted = new LinkedHashSet<>();
        for (String arg : args) {
            for (String name : arg.toLowerCase(Locale.ROOT).split("[,\\s]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                switch (name) {
                    case "cassandra", "kafka", "elasticsearch" -> wanted.add(name);
                    case "es" -> wanted.add("elasticsearch");
                    default -> {
                        System.err.println("unknown backend '" + name + "'; use cassandra, kafka, elasticsearch");
                        System.exit(2);
                    }
                }
            }
        }
        if (wanted.isEmpty()) {
            wanted.addAll(List.of("cassandra", "kafka", "elasticsearch"));
        }
        List<AutoCloseable> started = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("stopping backends...");
            closeAll(started);
            stopped.countDown();
        }, "reprocess-backends-stop"));

        List<CompletableFuture<AutoCloseable>> futures = new ArrayList<>();
        for (String name : wanted) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                AutoCloseable server = switch (name) {
                    case "cassandra" -> CassandraServer.builder().start();
                    case "kafka" -> KafkaServer.builder().start();
                    default -> ElasticsearchServer.builder().start();
                };
                synchronized (started) {
                    started.add(server);
                }
                System.out.println(readyLine(server));
                return server;
            }));
        }
        List<String> exports = new ArrayList<>();
        boolean failed = false;
        for (CompletableFuture<AutoCloseable> future : futures) {
            try {
                exports.add(exportLine(future.join()));
            } catch (CompletionException e) {
                failed = true;
                System.err.println("error: " + e.getCause().getMessage());
            }
        }
        if (failed) {
            System.exit(1); // the shutdown hook stops whatever did start
        }
        for (String line : exports) {
            System.out.println(line);
        }
        Path envFile = InstanceDirs.defaultBase(System.getenv()).resolve("backends.env");
        try {
            Files.createDirectories(envFile.getParent());
            Files.write(envFile, exports);
            System.out.println("# also written to " + envFile + " (source it in another shell)");
        } catch (IOException e) {
            System.err.println("could not write " + envFile + ": " + e);
        }
        System.out.println("# running; press Ctrl-C (or send SIGTERM) to stop");
        System.out.flush();
        stopped.await();
    }

    private static void closeAll(List<AutoCloseable> servers) {
        List<Thread> threads = new ArrayList<>();
        synchronized (servers) {
            for (AutoCloseable server : servers) {
                Thread t = new Thread(() -> {
                    try {
                        server.close();
                    } catch (Exception e) {
                        System.err.println("could not stop " + server + ": " + e);
                    }
                });
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * {@code "<server> ready at <address> in <seconds> s (rss <MB> MB, pid <pid>, log <file>)"} for a server the
     * testkit started, else the server's description.
     */
    static String readyLine(Object server) {
        if (server instanceof LocalServer s) {
            return s.process().name() + " ready at " + s.address() + " in " + ManagedProcess.seconds(s.startupTime())
                    + " (rss " + mb(s.residentMemoryBytes()) + ", pid " + s.pid() + ", log " + s.logFile() + ")";
        }
        return "using " + server;
    }

    static String exportLine(Object server) {
        if (server instanceof CassandraBackend c) {
            return "export REPROCESS_CASSANDRA=" + c.contactPoint().getHostString() + ":" + c.contactPoint().getPort();
        }
        if (server instanceof KafkaBackend k) {
            return "export REPROCESS_KAFKA=" + k.bootstrapServers();
        }
        if (server instanceof ElasticsearchBackend e) {
            return "export REPROCESS_ELASTICSEARCH=" + e.url();
        }
        throw new IllegalArgumentException("not a backend: " + server);
    }

    static String mb(long bytes) {
        return bytes < 0 ? "unknown" : (bytes / (1024 * 1024)) + " MB";
    }
}
