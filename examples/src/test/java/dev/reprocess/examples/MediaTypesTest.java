package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MediaTypesTest {

  @Test
  void commonExtensionsGetTheirMediaType() {
    assertThat(MediaTypes.detect(Path.of("/icons/hicolor/48x48/apps/firefox.png"))).isEqualTo("image/png");
    assertThat(MediaTypes.detect(Path.of("/icons/scalable/logo.svg"))).isEqualTo("image/svg+xml");
    assertThat(MediaTypes.detect(Path.of("/doc/README.md"))).isEqualTo("text/markdown");
    assertThat(MediaTypes.detect(Path.of("/doc/notes.txt"))).isEqualTo("text/plain");
  }

  @Test
  void aNameThatSaysNothingIsOctetStream() {
    assertThat(MediaTypes.detect(Path.of("/doc/zz-no-such-extension.qqqqq"))).isEqualTo(MediaTypes.UNKNOWN);
  }

  @Test
  void extensionIsTheLastOneInLowerCase() {
    assertThat(MediaTypes.extension(Path.of("/a/b.TAR.GZ"))).isEqualTo("gz");
    assertThat(MediaTypes.extension(Path.of("/a/.bashrc"))).isEmpty();
    assertThat(MediaTypes.extension(Path.of("/a/name."))).isEmpty();
    assertThat(MediaTypes.extension(Path.of("/a/copyright"))).isEmpty();
  }
}
