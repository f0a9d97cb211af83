package dev.reprocess.testkit.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** cassandra.yaml, logback.xml and JVM flags for a single loopback node (Cassandra 5.0). */
public final class CassandraConfig {

    /**
     * JVM flags of Cassandra 5.0's conf/jvm17-server.options (G1 and JPMS sections), which it needs on Java 17.
     */
    public static final List<String> JVM17_OPTIONS = List.of(
            "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1", "-XX:G1HeapRegionSize=16m",
            "-XX:G1RSetUpdatingPauseTimePercent=5", "-XX:MaxGCPauseMillis=300",
            "-XX:InitiatingHeapOccupancyPercent=70",
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");

    /** Folders of one instance. */
    public record Layout(Path dir) {
        public Path conf() {
            return dir.resolve("conf");
        }

        public Path data() {
            return dir.resolve("data");
        }

        public Path logs() {
            return dir.resolve("logs");
        }

        public Path yaml() {
            return conf().resolve("cassandra.yaml");
        }

        public Path logback() {
            return conf().resolve("logback.xml");
        }

        public Path log() {
            return logs().resolve("cassandra.log");
        }

        public List<Path> folders() {
            return List.of(conf(), logs(), data().resolve("data"), data().resolve("commitlog"),
                    data().resolve("saved_caches"), data().resolve("hints"), data().resolve("cdc_raw"),
                    data().resolve("triggers"));
        }
    }

    private CassandraConfig() {
    }

    public static String yaml(Layout layout, int nativePort, int storagePort) {
        Path data = layout.data();
        return "# Written by reprocess-testkit: one Cassandra node on loopback, for tests.\n"
                + "cluster_name: 'reprocess-testkit'\n"
                + "num_tokens: 16\n"
                + "allocate_tokens_for_local_replication_factor: 1\n"
                + "partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n"
                + "endpoint_snitch: SimpleSnitch\n"
                + "authenticator: AllowAllAuthenticator\n"
                + "authorizer: AllowAllAuthorizer\n"
                + "role_manager: CassandraRoleManager\n"
                + "network_authorizer: AllowAllNetworkAuthorizer\n"
                + "seed_provider:\n"
                + "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n"
                + "    parameters:\n"
                + "      - seeds: \"127.0.0.1\"\n"
                + "listen_address: 127.0.0.1\n"
                + "rpc_address: 127.0.0.1\n"
                + "storage_port: " + storagePort + "\n"
                + "native_transport_port: " + nativePort + "\n"
                + "start_native_transport: true\n"
                + "data_file_directories:\n"
                + "  - " + quote(data.resolve("data")) + "\n"
                + "commitlog_directory: " + quote(data.resolve("commitlog")) + "\n"
                + "saved_caches_directory: " + quote(data.resolve("saved_caches")) + "\n"
                + "hints_directory: " + quote(data.resolve("hints")) + "\n"
                + "cdc_raw_directory: " + quote(data.resolve("cdc_raw")) + "\n"
                + "commitlog_sync: periodic\n"
                + "commitlog_sync_period: 10000ms\n"
                + "commitlog_segment_size: 32MiB\n"
                + "memtable_heap_space: 64MiB\n"
                + "memtable_offheap_space: 64MiB\n"
                + "key_cache_size: 16MiB\n"
                + "file_cache_size: 64MiB\n"
                + "auto_snapshot: false\n"
                + "snapshot_before_compaction: false\n"
                + "hinted_handoff_enabled: false\n"
                + "dynamic_snitch: false\n"
                + "disk_failure_policy: stop\n"
                + "commit_failure_policy: stop\n"
                + "write_request_timeout: 5000ms\n"
                + "read_request_timeout: 10000ms\n"
                + "range_request_timeout: 20000ms\n"
                + "request_timeout: 20000ms\n";
    }

    public static String logback() {
        return "<configuration scan=\"false\">\n"
                + "  <!-- Written by reprocess-testkit: everything to stdout, which the launcher writes to"
                + " logs/cassandra.log. -->\n"
                + "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
                + "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{1} - %msg%n</pattern></encoder>\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>\n"
                + "</configuration>\n";
    }

    /** The java command line after the java executable: flags, system properties, classpath and main class. */
    public static List<String> jvmArguments(Layout layout, int nativePort, int storagePort, String maxHeap,
                                            Path jammJar, List<Path> classpath) {
        List<String> args = new ArrayList<>();
        args.add("-Xms256m");
        args.add("-Xmx" + maxHeap);
        args.add("-Xss512k");
        args.add("-XX:+HeapDumpOnOutOfMemoryError");
        args.add("-XX:HeapDumpPath=" + layout.logs());
        args.add("-XX:ErrorFile=" + layout.logs().resolve("hs_err_%p.log"));
        args.addAll(JVM17_OPTIONS);
        args.add("-javaagent:" + jammJar);
        args.add("-Djava.net.preferIPv4Stack=true");
        args.add("-Dcassandra.config=" + layout.yaml().toUri());
        args.add("-Dlogback.configurationFile=" + layout.logback().toUri());
        args.add("-Dcassandra.storagedir=" + layout.data());
        args.add("-Dcassandra.logdir=" + layout.logs());
        args.add("-Dcassandra.triggers_dir=" + layout.data().resolve("triggers"));
        args.add("-Dcassandra.native_transport_port=" + nativePort);
        args.add("-Dcassandra.storage_port=" + storagePort);
        args.add("-Dcassandra-foreground=yes");
        args.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        args.add("-Dcassandra.ring_delay_ms=0");
        args.add("-Dcassandra.superuser_setup_delay_ms=0");
        args.add("-cp");
        args.add(layout.conf() + java.io.File.pathSeparator + joinPaths(classpath));
        args.add("org.apache.cassandra.service.CassandraDaemon");
        return args;
    }

    static String joinPaths(List<Path> paths) {
        StringBuilder sb = new StringBuilder();
        for (Path p : paths) {
            if (sb.length() > 0) {
                sb.append(java.io.File.pathSeparator);
            }
            sb.append(p);
        }
        return sb.toString();
    }

    /** A YAML double-quoted scalar. */
    static String quote(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
