package dev.reprocess.testkit.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/** elasticsearch.yml for a single loopback node. */
public final class ElasticsearchConfig {

    /** Folders of one instance; all must be writable by the user that runs Elasticsearch. */
    public record Layout(Path dir) {
        public Path config() {
            return dir.resolve("config");
        }

        public Path data() {
            return dir.resolve("data");
        }

        public Path logs() {
            return dir.resolve("logs");
        }

        public Path tmp() {
            return dir.resolve("tmp");
        }

        public Path pidFile() {
            return dir.resolve("elasticsearch.pid");
        }

        public Path log() {
            return logs().resolve("console.log");
        }
    }

    private ElasticsearchConfig() {
    }

    /**
     * @param distribution the unpacked distribution; settings of modules it lacks are left out, since an unknown
     *                     setting stops the start
     */
    public static String yaml(Layout layout, Path distribution, int httpPort, int transportPort) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by reprocess-testkit: one Elasticsearch node on loopback, for tests.\n");
        sb.append("cluster.name: reprocess-testkit\n");
        sb.append("node.name: node-1\n");
        sb.append("discovery.type: single-node\n");
        sb.append("network.host: 127.0.0.1\n");
        sb.append("http.port: ").append(httpPort).append('\n');
        sb.append("transport.port: ").append(transportPort).append('\n');
        sb.append("path.data: ").append(CassandraConfig.quote(layout.data())).append('\n');
        sb.append("path.logs: ").append(CassandraConfig.quote(layout.logs())).append('\n');
        sb.append("cluster.routing.allocation.disk.threshold_enabled: false\n");
        sb.append("action.destructive_requires_name: false\n");
        if (Files.isDirectory(distribution.resolve("modules").resolve("x-pack-security"))) {
            sb.append("xpack.security.enabled: false\n");
        }
        if (Files.isDirectory(distribution.resolve("modules").resolve("ingest-geoip"))) {
            sb.append("ingest.geoip.downloader.enabled: false\n");
        }
        if (Files.isDirectory(distribution.resolve("modules").resolve("x-pack-ml"))) {
            sb.append("xpack.ml.enabled: false\n");
        }
        return sb.toString();
    }
}
