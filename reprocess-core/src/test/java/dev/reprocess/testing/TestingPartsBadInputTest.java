package dev.reprocess.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.AssetRef;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The in-memory selector and the manual clock refuse bad input at once, naming it. */
class TestingPartsBadInputTest {

  static Stream<Arguments> badInput() {
    return Stream.of(
        bad("ofIds null list", () -> InMemorySelector.ofIds(null, 1), "ids is null", "List.of()"),
        bad("ofIds null id", () -> InMemorySelector.ofIds(Arrays.asList("a", null), 1), "ids[1] is null",
            "non-blank"),
        bad("ofIds blank id", () -> InMemorySelector.ofIds("t", List.of("a", "b", " "), 1), "ids[2] is ' '",
            "non-blank"),
        bad("of null list", () -> InMemorySelector.of(null, 1), "assets is null", "List.of()"),
        bad("of null asset", () -> InMemorySelector.of(Arrays.asList(AssetRef.of("a", null), null), 2),
            "assets[1] is null", "non-null"),
        bad("generated null function", () -> InMemorySelector.generated(3, null, 1), "assetAt is null",
            "function from index to asset"),
        bad("shards 0", () -> InMemorySelector.ofIds(List.of("a"), 0), "shards is 0", "at least 1"),
        bad("advance null", () -> new ManualClock().advance(null), "by is null", "how far"));
  }

  private static Arguments bad(String what, ThrowingCallable call, String... parts) {
    return Arguments.of(what, call, parts);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void refusedWithIllegalArgumentNamingIt(String what, ThrowingCallable call, String[] parts) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(parts);
  }

  @Test
  void goodInputStillBuildsASelectorOfThoseAssets() {
    assertThat(InMemorySelector.ofIds(List.of("a", "b"), 1).size()).isEqualTo(2);
    assertThat(InMemorySelector.ofIds("t", List.of(), 3).shards()).hasSize(3);
  }
}
