package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Cassandra node as a {@link ServerProcess}: {@code cassandra-all} and its runtime dependencies on a Java 11 or 17
 * runtime, ports {@code [native, storage]}, ready when the CQL port answers an OPTIONS frame.
 */
public final class CassandraProcess extends ServerProcess {

    private JavaRuntimes.JavaHome java;
    private List<Path> classpath;
    private Path jamm;
    private CassandraConfig.Layout layout;

    public CassandraProcess(ServerOptions options, Duration stopGrace) {
        super("cassandra", options, stopGrace, "cassandra native transport port", "cassandra storage port");
    }

    @Override
    protected void resolve() {
        String version = Versions.cassandra();
        java = JavaRuntimes.system().find(JavaRuntimes.cassandra(version), options().javaHome());
        classpath = ServerArtifacts.system().resolve("cassandra-" + version,
                List.of(ServerArtifacts.Coordinate.jar("org.apache.cassandra", "cassandra-all", version)));
        jamm = classpath.stream().filter(p -> p.getFileName().toString().startsWith("jamm-")).findFirst()
                .orElseThrow(() -> new BackendException(BackendException.Reason.ARTIFACTS,
                        "no jamm jar among cassandra-all " + version + "'s dependencies"));
    }

    @Override
    protected Path configure(Path leased, int[] ports) throws IOException {
        layout = new CassandraConfig.Layout(leased);
        for (Path folder : layout.folders()) {
            Files.createDirectories(folder);
        }
        Files.writeString(layout.yaml(), CassandraConfig.yaml(layout, ports[0], ports[1]));
        Files.writeString(layout.logback(), CassandraConfig.logback());
        return leased;
    }

    @Override
    protected Launch launch(int number, Path directory, int[] ports) {
        List<String> command = new ArrayList<>();
        if (Unix.isRoot()) {
            // Root may mlockall() the whole heap (see the README): drop that capability.
            Unix.tool("setpriv").ifPresent(setpriv -> command.addAll(List.of(setpriv.toString(),
                    "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--")));
        }
        command.add(java.java().toString());
        command.addAll(CassandraConfig.jvmArguments(layout, ports[0], ports[1], options().heap(), jamm, classpath));
        Path log = number == 1 ? layout.log() : layout.logs().resolve("cassandra-" + number + ".log");
        int nativePort = ports[0];
        return new Launch(command, Map.of(), log, "the CQL port " + Ports.HOST + ":" + nativePort
                + " to answer an OPTIONS frame", () -> Probes.cqlSupported(Ports.HOST, nativePort));
    }
}
