package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Kafka node in KRaft combined mode as a {@link ServerProcess}: {@code kafka_2.13} and its runtime dependencies
 * plus slf4j-simple on a Java 17+ runtime, ports {@code [broker, controller]}. The storage is formatted once
 * ({@code kafka.tools.StorageTool format --standalone}) unless kept data already holds a {@code meta.properties};
 * ready when the broker answers ApiVersions and its log says {@value #STARTED_LINE}.
 */
public final class KafkaProcess extends ServerProcess {

    static final String STARTED_LINE = "Kafka Server started";
    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(2);

    private JavaRuntimes.JavaHome java;
    private List<Path> classpath;
    private KafkaConfig.Layout layout;
    private List<String> javaAndArgs;

    public KafkaProcess(ServerOptions options, Duration stopGrace) {
        super("kafka", options, stopGrace, "kafka broker port", "kafka controller port");
    }

    @Override
    protected void resolve() {
        String version = Versions.kafka();
        java = JavaRuntimes.system().find(JavaRuntimes.kafka(version), options().javaHome());
        classpath = ServerArtifacts.system().resolve("kafka-" + version, List.of(
                ServerArtifacts.Coordinate.jar("org.apache.kafka", "kafka_2.13", version),
                // Kafka's own slf4j-api is 1.7; pin 2.x with its simple binding so the server logs at all.
                ServerArtifacts.Coordinate.jar("org.slf4j", "slf4j-api", Versions.slf4j()),
                ServerArtifacts.Coordinate.jar("org.slf4j", "slf4j-simple", Versions.slf4j())));
    }

    @Override
    protected Path configure(Path leased, int[] ports) throws IOException {
        layout = new KafkaConfig.Layout(leased);
        Files.createDirectories(layout.data());
        Files.createDirectories(layout.logs());
        Files.writeString(layout.properties(), KafkaConfig.properties(layout, ports[0], ports[1]));
        javaAndArgs = new ArrayList<>();
        javaAndArgs.add(java.java().toString());
        javaAndArgs.addAll(KafkaConfig.jvmArguments(layout, options().heap(), classpath));
        if (!(options().keepsData() && Files.exists(layout.data().resolve("meta.properties")))) {
            List<String> command = new ArrayList<>(javaAndArgs);
            command.addAll(KafkaConfig.formatArguments(layout, KafkaConfig.randomClusterId()));
            ManagedProcess.runToCompletion("kafka-storage-format", command, leased,
                    layout.logs().resolve("format.log"), FORMAT_TIMEOUT, BackendException.Reason.EXITED,
                    "kafka storage format");
        }
        return leased;
    }

    @Override
    protected Launch launch(int number, Path directory, int[] ports) {
        Path log = number == 1 ? layout.log() : layout.logs().resolve("kafka-" + number + ".log");
        List<String> command = new ArrayList<>(javaAndArgs);
        command.addAll(KafkaConfig.serverArguments(layout));
        int port = ports[0];
        return new Launch(command, Map.of(), log, "the broker on " + Ports.HOST + ":" + port
                + " to answer ApiVersions and log '" + STARTED_LINE + "'",
                () -> Probes.kafkaApiVersions(Ports.HOST, port) && logContains(log, STARTED_LINE));
    }

    private static boolean logContains(Path log, String text) throws IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(l -> l.contains(text));
        }
    }
}
