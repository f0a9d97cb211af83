package dev.reprocess.testkit.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerArtifactsTest {

    @TempDir
    Path dir;

    @Test
    void versionsComeFromTheRootPom() {
        assertThat(Versions.cassandra()).matches("5\\.\\d+\\.\\d+");
        assertThat(Versions.kafka()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(Versions.elasticsearch()).matches("9\\.\\d+\\.\\d+");
        assertThat(Versions.dependencyPlugin()).doesNotStartWith("$");
    }

    @Test
    void generatedPomListsTheCoordinatesWithTheirType() {
        String pom = ServerArtifacts.pom("elasticsearch-9.5.4", List.of(new ServerArtifacts.Coordinate(
                "org.elasticsearch.distribution.integ-test-zip", "elasticsearch", "9.5.4", "zip")));
        assertThat(pom).contains("<artifactId>elasticsearch-9.5.4</artifactId>",
                "<groupId>org.elasticsearch.distribution.integ-test-zip</groupId><artifactId>elasticsearch"
                        + "</artifactId><version>9.5.4</version><type>zip</type>");
    }

    @Test
    void aCachedClasspathCountsOnlyWhenEveryJarStillExists() throws IOException {
        Path a = Files.writeString(dir.resolve("a.jar"), "");
        Path b = dir.resolve("b.jar");
        Path file = Files.writeString(dir.resolve("classpath.txt"), a + ":" + b);
        assertThat(ServerArtifacts.readClasspath(file)).isNull();
        Files.writeString(b, "");
        assertThat(ServerArtifacts.readClasspath(file)).containsExactly(a, b);
        assertThat(ServerArtifacts.readClasspath(dir.resolve("missing.txt"))).isNull();
    }

    @Test
    void theCacheFolderFollowsTheVariables() {
        assertThat(ServerArtifacts.defaultCacheDir(Map.of("REPROCESS_TESTKIT_CACHE", "/x/cache")))
                .isEqualTo(Path.of("/x/cache"));
        assertThat(ServerArtifacts.defaultCacheDir(Map.of("XDG_CACHE_HOME", "/x/xdg")))
                .isEqualTo(Path.of("/x/xdg/reprocess-testkit"));
    }

    @Test
    void unzipMakesBinScriptsExecutableAndEverythingReadable() throws IOException {
        Path zip = zip(Map.of("es/bin/elasticsearch", "#!/bin/sh", "es/bin/elasticsearch.bat", "rem",
                "es/lib/x.jar", "jar"));
        Path target = new ServerArtifacts(dir.resolve("cache")).unpackOnce(zip, dir.resolve("dist"), "es");
        assertThat(Files.getPosixFilePermissions(target.resolve("bin/elasticsearch")))
                .contains(PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_READ);
        assertThat(Files.getPosixFilePermissions(target.resolve("bin/elasticsearch.bat")))
                .doesNotContain(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(target.resolve("lib/x.jar")))
                .contains(PosixFilePermission.OTHERS_READ);
        // Second call reuses the unpacked copy.
        Files.writeString(target.resolve("lib/x.jar"), "changed");
        assertThat(new ServerArtifacts(dir.resolve("cache")).unpackOnce(zip, dir.resolve("dist"), "es"))
                .isEqualTo(target);
        assertThat(Files.readString(target.resolve("lib/x.jar"))).isEqualTo("changed");
    }

    @Test
    void unzipRefusesEntriesThatEscapeTheTarget() throws IOException {
        Path zip = zip(Map.of("../evil", "x"));
        assertThatThrownBy(() -> ServerArtifacts.unzip(zip, dir.resolve("out"))).isInstanceOf(IOException.class)
                .hasMessageContaining("escapes");
    }

    private Path zip(Map<String, String> entries) throws IOException {
        Path zip = dir.resolve("t" + System.nanoTime() + ".zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return zip;
    }
}
