package dev.reprocess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.ReprocessJob;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code max-errors} as a count or a percentage (like DSBulk's), and {@code stop-after-same-failures}. */
class ErrorBudgetKeysTest {

  private final ConfigContext context = ConfigContext.of(Map.of(
      "catalog", InMemorySelector.ofIds(List.of("a", "b"), 1), "recorder", new RecordingHandler()));

  private ReprocessJob build(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>(Map.of("selector.bean", "catalog", "handler", "recorder"));
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return JobConfiguration.build("j", "reprocess.jobs.j.", map, context);
  }

  @Test
  void maxErrorsIsACountOrAPercentage() {
    ReprocessJob count = build("max-errors", "7");
    assertThat(count.maxErrors()).isEqualTo(7);
    assertThat(count.maxErrorRatio()).isEqualTo(1.0);
    ReprocessJob percent = build("max-errors", "5%");
    assertThat(percent.maxErrorRatio()).isEqualTo(0.05);
    assertThat(percent.maxErrors()).isEqualTo(Long.MAX_VALUE);
    assertThat(build("max-errors", " 0.5 % ").maxErrorRatio()).isEqualTo(0.005);
    assertThat(build("max-errors", "100%").maxErrorRatio()).isEqualTo(1.0);
  }

  @Test
  void stopAfterSameFailuresIsAKey() {
    assertThat(build("stop-after-same-failures", "0").stopAfterSameFailures()).isZero();
    assertThat(build().stopAfterSameFailures()).isEqualTo(ReprocessJob.DEFAULT_STOP_AFTER_SAME_FAILURES);
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheRule() {
    String rule = "it must be a count of dead letters, 0 or more (e.g. 100), or a percentage of the events "
        + "processed so far, more than 0% and at most 100% (e.g. 5% or 0.5%)";
    for (String bad : List.of("0%", "120%", "five%", "%", "lots", "1.5")) {
      assertThatThrownBy(() -> build("max-errors", bad)).isInstanceOf(ConfigException.class)
          .hasMessage("reprocess.jobs.j.max-errors is '" + bad + "': " + rule);
    }
    assertThatThrownBy(() -> build("max-errors", "-2")).isInstanceOf(ConfigException.class)
        .hasMessage("reprocess.jobs.j.max-errors is '-2': maxErrors is -2: it must be 0 or more");
    assertThatThrownBy(() -> build("stop-after-same-failures", "-1")).isInstanceOf(ConfigException.class)
        .hasMessage("reprocess.jobs.j.stop-after-same-failures is '-1': stopAfterSameFailures is -1: it must be 0 (off) or more");
  }
}
