package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class TypePatternsTest {

  @Test
  void globsAndExactTypes() {
    Predicate<String> images = TypePatterns.matcher(List.of("image/*"));
    assertThat(images).accepts("image/png", "image/svg+xml").rejects("text/plain", "application/x-image/x");

    Predicate<String> exact = TypePatterns.matcher(List.of("text/plain", "application/gzip"));
    assertThat(exact).accepts("text/plain", "application/gzip").rejects("text/plainx", "text/html");

    assertThat(TypePatterns.matcher(List.of("*"))).accepts("anything/at-all");
    // regex characters in a type are literal
    assertThat(TypePatterns.matcher(List.of("image/svg+xml"))).accepts("image/svg+xml").rejects("image/svggxml");
  }

  @Test
  void emptyPatternsAreRefused() {
    assertThatThrownBy(() -> TypePatterns.matcher(List.of())).hasMessageContaining("--type");
    assertThatThrownBy(() -> TypePatterns.matcher(List.of(" "))).hasMessageContaining("--type");
  }

  @Test
  void slugIsAValidJobNamePart() {
    String slug = TypePatterns.slug(List.of("image/*", "image/svg+xml"));
    assertThat(slug).isEqualTo("image_all.image_svg_xml").matches("[A-Za-z0-9._-]+");
  }
}
