package dev.reprocess.testkit;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builders refuse bad values with the option's name, and a server that is not started says so. */
class ServerBuildersTest {

    @Test
    void eachBuilderNamesItsOwnOptionsInItsErrors() {
        assertThatThrownBy(() -> CassandraServer.builder().nativePort(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("nativePort must be 0");
        assertThatThrownBy(() -> KafkaServer.builder().controllerPort(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("controllerPort must be 0");
        assertThatThrownBy(() -> ElasticsearchServer.builder().heap("big"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("heap must look like 512m or 1g, was big");
        assertThatThrownBy(() -> KafkaServer.builder().maxHeap("1 g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxHeap must look like");
        assertThatThrownBy(() -> ElasticsearchServer.builder().startTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("startTimeout must be positive, was PT-1S");
        assertThatThrownBy(() -> CassandraServer.builder().directory(null))
                .isInstanceOf(NullPointerException.class).hasMessage("directory");
    }

    @Test
    void sharedSettersChainIntoTheServersOwnOptions() {
        CassandraServer cassandra = CassandraServer.builder().directory(Path.of("x")).keepData(true)
                .startTimeout(Duration.ofMinutes(1)).nativePort(0).storagePort(0).maxHeap("256m").build();
        KafkaServer kafka = KafkaServer.builder().baseDirectory(Path.of("y")).keepData(true).port(0).build();
        ElasticsearchServer es = ElasticsearchServer.builder().javaHome(Path.of("/jdk")).httpPort(0).build();

        assertThat(cassandra).hasToString("CassandraServer[not started]");
        assertThat(kafka).hasToString("KafkaServer[not started]");
        assertThat(es).hasToString("ElasticsearchServer[not started]");
        assertThat(cassandra.isRunning()).isFalse();
        assertThat(es.residentMemoryBytes()).isEqualTo(-1);
    }

    @Test
    void aServerThatIsNotStartedHasNoAddress() {
        ElasticsearchServer es = ElasticsearchServer.builder().build();
        assertThatThrownBy(es::port).isInstanceOf(IllegalStateException.class)
                .hasMessage("elasticsearch server is not started");
        KafkaServer kafka = KafkaServer.builder().build();
        assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class)
                .hasMessage("kafka server is not started");
        assertThatThrownBy(kafka::restart).isInstanceOf(IllegalStateException.class)
                .hasMessage("kafka server is not started");
        CassandraServer cassandra = CassandraServer.builder().build();
        cassandra.close();
        assertThatThrownBy(cassandra::contactPoint).isInstanceOf(IllegalStateException.class)
                .hasMessage("cassandra server is not started (closed)");
        assertThatThrownBy(cassandra::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("cassandra server already closed");
    }
}
