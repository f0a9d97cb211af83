package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ElasticsearchBackend;
import dev.reprocess.testkit.KafkaBackend;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalBackendsTest {

    private static ExternalBackends of(Map<String, String> props, Map<String, String> env) {
        return new ExternalBackends(props::get, env);
    }

    @Test
    void nothingConfiguredMeansStartOurOwn() {
        ExternalBackends none = of(Map.of(), Map.of());
        assertThat(none.cassandra()).isEmpty();
        assertThat(none.kafka()).isEmpty();
        assertThat(none.elasticsearch()).isEmpty();
    }

    @Test
    void variablesNameExistingServers() {
        ExternalBackends ext = of(Map.of(), Map.of("REPROCESS_CASSANDRA", "127.0.0.1:9142",
                "REPROCESS_KAFKA", "127.0.0.1:9092,127.0.0.1:9094",
                "REPROCESS_ELASTICSEARCH", "http://localhost:9200/"));
        CassandraBackend c = ext.cassandra().orElseThrow();
        assertThat(c.contactPoint().getPort()).isEqualTo(9142);
        assertThat(c.contactPoint().getHostString()).isEqualTo("127.0.0.1");
        assertThat(c.localDatacenter()).isEqualTo("datacenter1");
        assertThat(ext.kafka().orElseThrow().bootstrapServers()).isEqualTo("127.0.0.1:9092,127.0.0.1:9094");
        ElasticsearchBackend es = ext.elasticsearch().orElseThrow();
        assertThat(es.url()).isEqualTo("http://localhost:9200");
        assertThat(es.host()).isEqualTo("localhost");
        assertThat(es.port()).isEqualTo(9200);
    }

    @Test
    void systemPropertiesWinOverVariablesAndCassandraPortDefaultsTo9042() {
        ExternalBackends ext = of(Map.of("reprocess.cassandra", "db.local", "reprocess.cassandra.datacenter", "dc2"),
                Map.of("REPROCESS_CASSANDRA", "127.0.0.1:1"));
        CassandraBackend c = ext.cassandra().orElseThrow();
        assertThat(c.contactPoint().getPort()).isEqualTo(9042);
        assertThat(c.localDatacenter()).isEqualTo("dc2");
    }

    @Test
    void anExternalKafkaCannotBeRestarted() {
        KafkaBackend kafka = of(Map.of(), Map.of("REPROCESS_KAFKA", "127.0.0.1:9092")).kafka().orElseThrow();
        assertThatThrownBy(kafka::restart).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REPROCESS_KAFKA");
    }

    @Test
    void malformedValuesNameTheVariableAndTheExpectedShape() {
        assertThatThrownBy(() -> of(Map.of(), Map.of("REPROCESS_KAFKA", "localhost")).kafka())
                .isInstanceOf(BackendException.class).hasMessage("REPROCESS_KAFKA='localhost' is not host:port");
        assertThatThrownBy(() -> of(Map.of(), Map.of("REPROCESS_ELASTICSEARCH", "localhost:9200")).elasticsearch())
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("REPROCESS_ELASTICSEARCH='localhost:9200' is not an http URL");
        assertThatThrownBy(() -> of(Map.of("reprocess.cassandra", "h:99999"), Map.of()).cassandra())
                .hasMessage("-Dreprocess.cassandra='h:99999' is not host:port");
    }
}
