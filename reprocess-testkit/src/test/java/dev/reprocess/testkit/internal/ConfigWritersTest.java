package dev.reprocess.testkit.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigWritersTest {

    @TempDir
    Path dir;

    @Test
    void cassandraYamlIsASingleLoopbackNodeWithQuotedFolders() {
        CassandraConfig.Layout layout = new CassandraConfig.Layout(dir.resolve("with space/cassandra-1"));
        String yaml = CassandraConfig.yaml(layout, 19042, 17000);
        assertThat(yaml).contains("native_transport_port: 19042\n", "storage_port: 17000\n",
                "listen_address: 127.0.0.1\n", "rpc_address: 127.0.0.1\n", "- seeds: \"127.0.0.1\"\n",
                "endpoint_snitch: SimpleSnitch\n", "commitlog_sync: periodic\n", "auto_snapshot: false\n",
                "num_tokens: 16\n", "allocate_tokens_for_local_replication_factor: 1\n",
                "commitlog_directory: \"" + layout.data().resolve("commitlog") + "\"\n");
        assertThat(yaml).doesNotContain("\t");
    }

    @Test
    void cassandraJvmArgumentsCarryTheJava17OpensTheAgentAndTheMainClassLast() {
        CassandraConfig.Layout layout = new CassandraConfig.Layout(dir);
        List<String> args = CassandraConfig.jvmArguments(layout, 1, 2, "1g", Path.of("/m2/jamm-0.4.0.jar"),
                List.of(Path.of("/m2/a.jar"), Path.of("/m2/b.jar")));
        assertThat(args).contains("-Xmx1g", "-javaagent:/m2/jamm-0.4.0.jar", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dcassandra.native_transport_port=1", "-Dcassandra.storage_port=2", "-Dcassandra-foreground=yes",
                "-Dcassandra.config=" + layout.yaml().toUri(), "-Djdk.attach.allowAttachSelf=true",
                "-Dio.netty.tryReflectionSetAccessible=true");
        assertThat(args.get(args.size() - 1)).isEqualTo("org.apache.cassandra.service.CassandraDaemon");
        assertThat(args.get(args.size() - 2)).isEqualTo(layout.conf() + ":/m2/a.jar:/m2/b.jar");
        assertThat(args.stream().filter("--add-opens"::equals).count()).isEqualTo(14);
        assertThat(args.stream().filter("--add-exports"::equals).count()).isEqualTo(9);
    }

    @Test
    void kafkaPropertiesDescribeACombinedModeNodeWithReplicationFactorOne() {
        KafkaConfig.Layout layout = new KafkaConfig.Layout(dir);
        String props = KafkaConfig.properties(layout, 19092, 19093);
        assertThat(props).contains("process.roles=broker,controller\n", "node.id=1\n",
                "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n",
                "advertised.listeners=PLAINTEXT://127.0.0.1:19092\n",
                "controller.quorum.bootstrap.servers=127.0.0.1:19093\n", "controller.listener.names=CONTROLLER\n",
                "offsets.topic.replication.factor=1\n", "transaction.state.log.min.isr=1\n",
                "share.coordinator.state.topic.replication.factor=1\n", "group.initial.rebalance.delay.ms=0\n",
                "log.dirs=" + layout.data() + "\n");
        assertThat(props).doesNotContain("controller.quorum.voters");
    }

    @Test
    void kafkaClusterIdsAre22UrlSafeCharacters() {
        String id = KafkaConfig.randomClusterId();
        assertThat(id).hasSize(22).matches("[A-Za-z0-9_-]{22}");
        assertThat(KafkaConfig.randomClusterId()).isNotEqualTo(id);
        // One id in 64 would start with '-' and be taken for an option by the storage tool.
        for (int i = 0; i < 2_000; i++) {
            assertThat(KafkaConfig.randomClusterId()).doesNotStartWith("-");
        }
        assertThat(KafkaConfig.formatArguments(new KafkaConfig.Layout(dir), id))
                .containsExactly("kafka.tools.StorageTool", "format", "-t", id, "-c",
                        dir.resolve("server.properties").toString(), "--standalone");
    }

    @Test
    void elasticsearchDisablesSecurityOnlyWhenTheModuleExists() throws Exception {
        ElasticsearchConfig.Layout layout = new ElasticsearchConfig.Layout(dir.resolve("es"));
        Path distribution = dir.resolve("dist");
        Files.createDirectories(distribution.resolve("modules/transport-netty4"));
        String without = ElasticsearchConfig.yaml(layout, distribution, 19200, 19300);
        assertThat(without).contains("discovery.type: single-node\n", "network.host: 127.0.0.1\n",
                "http.port: 19200\n", "transport.port: 19300\n",
                "cluster.routing.allocation.disk.threshold_enabled: false\n",
                "path.data: \"" + layout.data() + "\"\n").doesNotContain("xpack");
        Files.createDirectories(distribution.resolve("modules/x-pack-security"));
        assertThat(ElasticsearchConfig.yaml(layout, distribution, 19200, 19300))
                .contains("xpack.security.enabled: false\n").doesNotContain("xpack.ml");
    }
}
