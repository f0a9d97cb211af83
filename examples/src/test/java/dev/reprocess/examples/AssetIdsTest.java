package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AssetIdsTest {

  @Test
  void sameFileGivesTheSameIdAndItIsATimeuuidOfTheModificationTime() {
    Instant mtime = Instant.parse("2024-06-01T12:34:56.789123400Z");
    UUID a = AssetIds.forFile(Path.of("/usr/share/icons/a.png"), mtime);
    UUID b = AssetIds.forFile(Path.of("/usr/share/icons/../icons/a.png"), mtime);

    assertThat(a).isEqualTo(b);
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.variant()).isEqualTo(2);
    assertThat(AssetIds.instantOf(a)).isEqualTo(mtime);
    // what Cassandra's toTimestamp(asset_id) and the time-bucket selector's windows see
    assertThat(Uuids.unixTimestamp(a)).isEqualTo(mtime.toEpochMilli());
  }

  @Test
  void filesModifiedAtTheSameInstantGetDifferentIds() {
    Instant mtime = Instant.parse("2023-01-01T00:00:00Z");
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(AssetIds.forFile(Path.of("/data/file-" + i), mtime));
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void everyFileOfTheJdkGetsItsOwnIdAndTheSameOneTheSecondTime() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of(System.getProperty("java.home")))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    Set<UUID> first = new HashSet<>();
    Set<UUID> second = new HashSet<>();
    for (Path f : files) {
      first.add(AssetIds.forFile(f, Files.getLastModifiedTime(f).toInstant()));
    }
    for (Path f : files) {
      second.add(AssetIds.forFile(f, Files.getLastModifiedTime(f).toInstant()));
    }
    assertThat(files).isNotEmpty();
    assertThat(first).hasSize(files.size()).isEqualTo(second);
  }

  @Test
  void idsFallInsideTheMillisecondWindowsTheSelectorUses() {
    Instant mtime = Instant.parse("2021-03-04T05:06:07.008999900Z");
    UUID id = AssetIds.forFile(Path.of("/x"), mtime);
    // Cassandra orders timeuuids by timestamp first: startOf(ms) <= id < startOf(ms + 1)
    assertThat(id.timestamp()).isGreaterThanOrEqualTo(Uuids.startOf(mtime.toEpochMilli()).timestamp());
    assertThat(id.timestamp()).isLessThan(Uuids.startOf(mtime.toEpochMilli() + 1).timestamp());
  }

  @Test
  void timesBeforeTheUuidEpochAreRefused() {
    assertThatThrownBy(() -> AssetIds.forFile(Path.of("/x"), Instant.parse("1500-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 1582-10-15T00:00:00Z on");
    assertThatThrownBy(() -> AssetIds.instantOf(UUID.randomUUID()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 1");
  }
}
