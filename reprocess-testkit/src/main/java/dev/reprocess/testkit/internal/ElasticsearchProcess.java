package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An Elasticsearch node as a {@link ServerProcess}: the integ-test zip distribution, unpacked once, run with
 * {@code bin/elasticsearch} on a Java 21+ runtime, ports {@code [http, transport]}, ready at cluster health yellow.
 * As root it runs as an unprivileged user, and its files move to a shared fallback folder when that user cannot reach
 * the usual ones.
 */
public final class ElasticsearchProcess extends ServerProcess {

    private final String userName;
    private final Path sharedFallback;
    private JavaRuntimes.JavaHome java;
    private Path distribution;
    private Unix.User user;
    private ElasticsearchConfig.Layout layout;

    /**
     * @param userName the user to run as when this JVM is root
     * @param sharedFallback where files go that this user must reach when the usual folders are closed to it
     */
    public ElasticsearchProcess(ServerOptions options, Duration stopGrace, String userName, Path sharedFallback) {
        super("elasticsearch", options, stopGrace, "elasticsearch http port", "elasticsearch transport port");
        this.userName = userName;
        this.sharedFallback = sharedFallback;
    }

    @Override
    protected void resolve() {
        String version = Versions.elasticsearch();
        java = JavaRuntimes.system().find(JavaRuntimes.elasticsearch(version), options().javaHome());
        ServerArtifacts artifacts = ServerArtifacts.system();
        Path zip = artifacts.resolve("elasticsearch-" + version, List.of(new ServerArtifacts.Coordinate(
                        "org.elasticsearch.distribution.integ-test-zip", "elasticsearch", version, "zip")))
                .stream().filter(p -> p.toString().endsWith(".zip")).findFirst()
                .orElseThrow(() -> new BackendException(BackendException.Reason.ARTIFACTS,
                        "Maven resolved no zip for the Elasticsearch " + version + " distribution"));
        user = Unix.isRoot() ? Unix.ensureUser(userName, sharedFallback.resolve("locks")) : null;
        Path distParent = artifacts.cacheDir();
        if (user != null && !Unix.canTraverse(user, distParent)) {
            distParent = sharedFallback.resolve("dist");
        }
        distribution = artifacts.unpackOnce(zip, distParent, "elasticsearch-" + version);
    }

    @Override
    protected Path configure(Path leased, int[] ports) throws IOException {
        Path instanceDir = leased;
        if (user != null && !Unix.canTraverse(user, leased)) {
            instanceDir = sharedFallback.resolve("elasticsearch-" + Integer.toHexString(leased.toString().hashCode()));
            if (!options().keepsData()) {
                ServerArtifacts.deleteRecursively(instanceDir);
            }
            Files.createDirectories(instanceDir);
            Files.writeString(leased.resolve("WHERE.txt"), "Elasticsearch runs as user " + user.name()
                    + ", which cannot reach this folder; its config, data and logs are in " + instanceDir
                    + System.lineSeparator());
        }
        layout = new ElasticsearchConfig.Layout(instanceDir);
        copyFolder(distribution.resolve("config"), layout.config());
        Files.createDirectories(layout.data());
        Files.createDirectories(layout.logs());
        Files.createDirectories(layout.tmp());
        Files.writeString(layout.config().resolve("elasticsearch.yml"),
                ElasticsearchConfig.yaml(layout, distribution, ports[0], ports[1]));
        if (user != null) {
            Unix.chownRecursively(instanceDir, user);
        }
        return instanceDir;
    }

    @Override
    protected Launch launch(int number, Path directory, int[] ports) {
        List<String> command = new ArrayList<>();
        Map<String, String> env = new HashMap<>();
        env.put("ES_JAVA_HOME", java.home().toString());
        env.put("ES_PATH_CONF", layout.config().toString());
        env.put("ES_JAVA_OPTS", "-Xms" + options().heap() + " -Xmx" + options().heap());
        env.put("ES_TMPDIR", layout.tmp().toString());
        env.put("JAVA_HOME", null);
        env.put("JAVA_TOOL_OPTIONS", null);
        if (user != null) {
            env.put("HOME", directory.toString());
            env.put("USER", user.name());
            env.put("LOGNAME", user.name());
            command.addAll(switchUser(user));
        }
        command.add(distribution.resolve("bin").resolve("elasticsearch").toString());
        command.add("-p");
        command.add(layout.pidFile().toString());
        // The launcher runs as root and appends to the log before switching user, so it may be root's file.
        Path log = number == 1 ? layout.log() : layout.logs().resolve("console-" + number + ".log");
        String url = "http://" + Ports.HOST + ":" + ports[0];
        return new Launch(command, env, log, "cluster health yellow at " + url, () -> Probes.elasticsearchHealthy(url));
    }

    /** The command prefix that runs what follows as {@code user}: setpriv, else runuser. */
    private static List<String> switchUser(Unix.User user) {
        Path setpriv = Unix.tool("setpriv").orElse(null);
        if (setpriv != null) {
            return List.of(setpriv.toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups",
                    "--");
        }
        Path runuser = Unix.tool("runuser").orElseThrow(() -> new BackendException(BackendException.Reason.OTHER,
                "Elasticsearch refuses to run as root and neither setpriv nor runuser is installed to switch to user "
                        + user.name() + ": install util-linux or run as a normal user"));
        return List.of(runuser.toString(), "-u", user.name(), "--");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
