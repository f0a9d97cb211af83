package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaRuntimesTest {

    @TempDir
    Path jvms;

    private Path jdk(String name, String version) throws IOException {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    private JavaRuntimes runtimes(Map<String, String> env, Path current) {
        return new JavaRuntimes(env, current, List.of(jvms));
    }

    @Test
    void parsesFeatureVersions() {
        assertThat(JavaRuntimes.parseFeature("17.0.15")).hasValue(17);
        assertThat(JavaRuntimes.parseFeature("1.8.0_402")).hasValue(8);
        assertThat(JavaRuntimes.parseFeature("25")).hasValue(25);
        assertThat(JavaRuntimes.parseFeature("21-ea")).hasValue(21);
        assertThat(JavaRuntimes.parseFeature("x")).isEmpty();
    }

    @Test
    void cassandraPrefersSeventeenAndNeverTakesNewerThanSeventeen() throws IOException {
        Path j11 = jdk("jdk-11", "11.0.22");
        Path j17 = jdk("jdk-17", "17.0.15");
        Path j25 = jdk("temurin-25", "25.0.1");
        JavaRuntimes.JavaHome found = runtimes(Map.of(), j25).find(JavaRuntimes.cassandra("5.0.6"), null);
        assertThat(found.home()).isEqualTo(j17);
        assertThat(found.feature()).isEqualTo(17);
        assertThat(j11).exists();
    }

    @Test
    void elasticsearchTakesTheNewestJdkAndHonoursItsVariables() throws IOException {
        Path j17 = jdk("jdk-17", "17.0.15");
        Path j21 = jdk("jdk-21", "21.0.5");
        Path j25 = jdk("temurin-25", "25.0.1");
        assertThat(runtimes(Map.of(), j17).find(JavaRuntimes.elasticsearch("9.5.4"), null).home()).isEqualTo(j25);
        assertThat(runtimes(Map.of("ES_JAVA_HOME", j21.toString()), j17)
                .find(JavaRuntimes.elasticsearch("9.5.4"), null).home()).isEqualTo(j21);
        assertThat(runtimes(Map.of("REPROCESS_ES_JAVA_HOME", j21.toString(), "ES_JAVA_HOME", j25.toString()), j17)
                .find(JavaRuntimes.elasticsearch("9.5.4"), null).home()).isEqualTo(j21);
    }

    @Test
    void noJava21ForElasticsearchSaysWhichVariableToSet() throws IOException {
        Path j17 = jdk("jdk-17", "17.0.15");
        assertThatThrownBy(() -> runtimes(Map.of(), j17).find(JavaRuntimes.elasticsearch("9.5.4"), null))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.JAVA_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("Elasticsearch 9.5.4 needs Java 21 or newer and none was"
                            + " found").contains("set REPROCESS_ES_JAVA_HOME").doesNotContain("\n");
                });
    }

    @Test
    void aVariablePointingAtTooOldAJavaIsNamedWithItsVersion() throws IOException {
        Path j11 = jdk("jdk-11", "11.0.22");
        Path j17 = jdk("jdk-17", "17.0.15");
        assertThatThrownBy(() -> runtimes(Map.of("REPROCESS_KAFKA_JAVA_HOME", j11.toString()), j17)
                .find(JavaRuntimes.kafka("4.3.1"), null))
                .isInstanceOf(BackendException.class)
                .hasMessage("REPROCESS_KAFKA_JAVA_HOME=" + j11 + " is Java 11 but Kafka 4.3.1 needs Java 17 or"
                        + " newer; point REPROCESS_KAFKA_JAVA_HOME at a suitable JDK");
        assertThatThrownBy(() -> runtimes(Map.of("ES_JAVA_HOME", j17.toString()), j17)
                .find(JavaRuntimes.elasticsearch("9.5.4"), null))
                .hasMessageContaining("ES_JAVA_HOME=" + j17 + " is Java 17 but Elasticsearch 9.5.4 needs Java 21");
    }

    @Test
    void javaBelowSeventeenIsRefusedForKafka() throws IOException {
        Path j11 = jdk("jdk-11", "11.0.22");
        assertThatThrownBy(() -> new JavaRuntimes(Map.of(), j11, List.of()).find(JavaRuntimes.kafka("4.3.1"), null))
                .isInstanceOf(BackendException.class)
                .hasMessageStartingWith("Kafka 4.3.1 needs Java 17 or newer and none was found");
    }

    @Test
    void kafkaUsesTheRunningJvmWhenItQualifies() throws IOException {
        Path j17 = jdk("jdk-17", "17.0.15");
        jdk("temurin-25", "25.0.1");
        assertThat(runtimes(Map.of(), j17).find(JavaRuntimes.kafka("4.3.1"), null).home()).isEqualTo(j17);
    }

    @Test
    void aFolderThatIsNotAJavaHomeIsReported() {
        assertThatThrownBy(() -> runtimes(Map.of(), jvms).find(JavaRuntimes.kafka("4.3.1"), jvms.resolve("nope")))
                .hasMessageContaining("is not a Java home");
    }
}
