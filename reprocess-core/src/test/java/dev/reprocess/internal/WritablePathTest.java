package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritablePathTest {

  @TempDir Path dir;

  @Test
  void aMissingDirectoryUnderAWritableOneIsAcceptedAndNotCreated() {
    Path missing = dir.resolve("a").resolve("b");
    assertThatCode(() -> WritablePath.check(missing, "checkpoint directory")).doesNotThrowAnyException();
    org.assertj.core.api.Assertions.assertThat(Files.exists(dir.resolve("a"))).isFalse();
  }

  @Test
  void aPathUnderAFileIsRefusedWithThePathNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(() -> WritablePath.check(file.resolve("c"), "checkpoint directory"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("checkpoint directory " + file.resolve("c"))
        .hasMessageContaining("not a writable directory");
  }
}
