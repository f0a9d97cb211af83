package dev.reprocess.testkit.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** server.properties and command lines for a single Kafka node in KRaft combined mode (broker and controller). */
public final class KafkaConfig {

    /** Folders and files of one instance. */
    public record Layout(Path dir) {
        public Path data() {
            return dir.resolve("data");
        }

        public Path logs() {
            return dir.resolve("logs");
        }

        public Path properties() {
            return dir.resolve("server.properties");
        }

        public Path log() {
            return logs().resolve("kafka.log");
        }
    }

    private KafkaConfig() {
    }

    /**
     * A random 22-character cluster id (base64url of a UUID, as {@code kafka-storage random-uuid} prints). Never starts
     * with {@code -}, which the storage tool would read as an option (the README says more).
     */
    public static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer buffer = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    public static String properties(Layout layout, int brokerPort, int controllerPort) {
        return "# Written by reprocess-testkit: one Kafka node, broker and controller, on loopback.\n"
                + "process.roles=broker,controller\n"
                + "node.id=1\n"
                + "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort + "\n"
                + "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort + "\n"
                + "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort + "\n"
                + "inter.broker.listener.name=PLAINTEXT\n"
                + "controller.listener.names=CONTROLLER\n"
                + "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
                + "log.dirs=" + escape(layout.data().toString()) + "\n"
                + "num.partitions=1\n"
                + "default.replication.factor=1\n"
                + "min.insync.replicas=1\n"
                + "offsets.topic.replication.factor=1\n"
                + "offsets.topic.num.partitions=10\n"
                + "transaction.state.log.replication.factor=1\n"
                + "transaction.state.log.min.isr=1\n"
                + "share.coordinator.state.topic.replication.factor=1\n"
                + "share.coordinator.state.topic.min.isr=1\n"
                + "group.initial.rebalance.delay.ms=0\n"
                + "auto.create.topics.enable=true\n"
                + "delete.topic.enable=true\n";
    }

    /** Escapes a value for java.util.Properties (backslashes, and ':' '=' are fine in values). */
    static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    public static List<String> jvmArguments(Layout layout, String maxHeap, List<Path> classpath) {
        List<String> args = new ArrayList<>();
        args.add("-Xms128m");
        args.add("-Xmx" + maxHeap);
        args.add("-XX:+UseG1GC");
        args.add("-XX:MaxGCPauseMillis=20");
        args.add("-XX:InitiatingHeapOccupancyPercent=35");
        args.add("-XX:+ExplicitGCInvokesConcurrent");
        args.add("-XX:ErrorFile=" + layout.logs().resolve("hs_err_%p.log"));
        args.add("-Djava.awt.headless=true");
        args.add("-Dkafka.logs.dir=" + layout.logs());
        args.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        args.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        args.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        args.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn");
        args.add("-cp");
        args.add(CassandraConfig.joinPaths(classpath));
        return args;
    }

    public static List<String> formatArguments(Layout layout, String clusterId) {
        return List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", layout.properties().toString(),
                "--standalone");
    }

    public static List<String> serverArguments(Layout layout) {
        return List.of("kafka.Kafka", layout.properties().toString());
    }
}
