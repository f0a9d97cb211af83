package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortsTest {

    @Test
    void picksDistinctFreePorts() {
        int[] ports = Ports.pickFree(4);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(4);
        for (int port : ports) {
            assertThat(port).isBetween(1, 65535);
            assertThat(Ports.isFree(port)).isTrue();
        }
    }

    @Test
    void aTakenPortFailsWithAOneLineMessageNamingPortAndPurpose() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            assertThat(Ports.isFree(port)).isFalse();
            assertThatThrownBy(() -> Ports.requireFree(port, "cassandra native transport port"))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BackendException.Reason.PORT_IN_USE);
                        assertThat(e.getMessage()).isEqualTo("port " + port + " on 127.0.0.1 is already in use"
                                + " (cassandra native transport port); stop what uses it, choose another port, or"
                                + " leave the port unset to pick a free one").doesNotContain("\n");
                    });
            assertThat(Ports.canConnect("127.0.0.1", port, java.time.Duration.ofSeconds(1))).isTrue();
        }
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThatThrownBy(() -> Ports.requireFree(70000, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }
}
