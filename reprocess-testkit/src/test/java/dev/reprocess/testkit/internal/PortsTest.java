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
    void picksPortsOutsideTheEphemeralRangeThatOutgoingConnectionsUse() {
        int[] range = {32768, 60999};
        int[] ports = Ports.pickFree(6, range, new java.util.Random(42));
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(6);
        for (int port : ports) {
            assertThat(port).isBetween(Ports.LOWEST_PICKED, 32767);
        }
        // With the whole space ephemeral, above it, and with no range known, the kernel picks.
        assertThat(Ports.band(new int[] {1024, 60999})).containsExactly(61000, 65535);
        assertThat(Ports.band(new int[] {1024, 65000})).isNull();
        assertThat(Ports.band(null)).isNull();
        for (int port : Ports.pickFree(2, null, new java.util.Random(1))) {
            assertThat(port).isBetween(1, 65535);
        }
    }

    @Test
    void onThisMachineThePickedPortsAvoidItsEphemeralRange() {
        int[] range = Ports.ephemeralRange();
        assertThat(range).as("/proc/sys/net/ipv4/ip_local_port_range is readable on Linux").isNotNull();
        for (int port : Ports.pickFree(4)) {
            assertThat(port < range[0] || port > range[1]).as("port %d outside %d-%d", port, range[0], range[1]).isTrue();
        }
    }

    @Test
    void aTakenCandidateIsSkipped() throws Exception {
        int[] range = {Ports.LOWEST_PICKED + 1001, 60999}; // band: LOWEST_PICKED .. LOWEST_PICKED + 1000
        java.util.List<ServerSocket> taken = new java.util.ArrayList<>();
        try {
            for (int p = Ports.LOWEST_PICKED; p < Ports.LOWEST_PICKED + 1000; p++) {
                ServerSocket s = new ServerSocket();
                try {
                    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), p));
                    taken.add(s);
                } catch (java.io.IOException e) {
                    s.close(); // already taken by someone else: fine, it is taken either way
                }
            }
            int[] ports = Ports.pickFree(1, range, new java.util.Random(7));
            assertThat(ports[0]).isEqualTo(Ports.LOWEST_PICKED + 1000).satisfies(p -> assertThat(Ports.isFree(p)).isTrue());
        } finally {
            for (ServerSocket s : taken) {
                s.close();
            }
        }
    }

    @Test
    void chooseKeepsRequestedPortsPicksTheOthersAndRefusesATakenRequestedOne() throws Exception {
        int[] picked = Ports.choose(new int[] {0, 0}, "a", "b");
        assertThat(picked[0]).isNotEqualTo(picked[1]);
        int requested = Ports.pickFree(1)[0];
        int[] mixed = Ports.choose(new int[] {requested, 0}, "a", "b");
        assertThat(mixed[0]).isEqualTo(requested);
        assertThat(mixed[1]).isNotEqualTo(requested).isBetween(1, 65535);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> Ports.choose(new int[] {0, taken.getLocalPort()}, "kafka broker port",
                    "kafka controller port"))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.getMessage())
                            .contains("port " + taken.getLocalPort(), "(kafka controller port)"));
        }
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThatThrownBy(() -> Ports.requireFree(70000, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }
}
