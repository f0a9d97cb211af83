package dev.reprocess.testkit.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuilderChecksTest {

    @Test
    void portsAreZeroOrAValidTcpPort() {
        assertThat(BuilderChecks.port("port", 0)).isZero();
        assertThat(BuilderChecks.port("port", 65535)).isEqualTo(65535);
        assertThatThrownBy(() -> BuilderChecks.port("httpPort", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("httpPort must be 0 (any free port) or 1..65535, was -1");
        assertThatThrownBy(() -> BuilderChecks.port("port", 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be 0 (any free port) or 1..65535, was 65536");
    }

    @Test
    void heapsLookLikeXmxValues() {
        assertThat(BuilderChecks.heap("heap", "512m")).isEqualTo("512m");
        assertThat(BuilderChecks.heap("heap", "1G")).isEqualTo("1G");
        assertThatThrownBy(() -> BuilderChecks.heap("maxHeap", "1gb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxHeap must look like 512m or 1g, was 1gb");
        assertThatThrownBy(() -> BuilderChecks.heap("heap", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heap must look like 512m or 1g, was null");
    }

    @Test
    void timeoutsArePositive() {
        assertThat(BuilderChecks.positive("startTimeout", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> BuilderChecks.positive("startTimeout", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("startTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> BuilderChecks.positive("startTimeout", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("startTimeout must be positive, was null");
    }

    @Test
    void userNamesAreUnixNames() {
        assertThat(BuilderChecks.userName("user", "reprocess-es")).isEqualTo("reprocess-es");
        assertThatThrownBy(() -> BuilderChecks.userName("user", "Root")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("user must be a valid Unix user name, was Root");
    }
}
