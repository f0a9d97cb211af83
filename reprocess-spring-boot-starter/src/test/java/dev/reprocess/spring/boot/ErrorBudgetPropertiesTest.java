package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.ReprocessJob;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code max-errors} (a count or, as DSBulk's, a percentage) and {@code stop-after-same-failures} in properties. */
class ErrorBudgetPropertiesTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReprocessCassandraAutoConfiguration.class,
          ReprocessAutoConfiguration.class))
      .withUserConfiguration(ReprocessAutoConfigurationTest.Beans.class)
      .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog", "reprocess.jobs.backfill.handler=recorder",
          "reprocess.jobs.other.selector.bean=catalog", "reprocess.jobs.other.handler=recorder");

  @Test
  void maxErrorsTakesACountOrAPercentageAndStopAfterSameFailuresACount() {
    runner.withPropertyValues("reprocess.job-defaults.max-errors=7",
            "reprocess.jobs.backfill.max-errors=5%",
            "reprocess.jobs.backfill.stop-after-same-failures=0")
        .run(context -> {
          ReprocessJobRegistry registry = context.getBean(ReprocessJobRegistry.class);
          ReprocessJob backfill = registry.job("backfill").orElseThrow();
          assertThat(backfill.maxErrorRatio()).isEqualTo(0.05);
          assertThat(backfill.maxErrors()).isEqualTo(Long.MAX_VALUE);
          assertThat(backfill.stopAfterSameFailures()).isZero();
          ReprocessJob other = registry.job("other").orElseThrow();
          assertThat(other.maxErrors()).isEqualTo(7);
          assertThat(other.maxErrorRatio()).isEqualTo(1.0);
          assertThat(other.stopAfterSameFailures()).isEqualTo(ReprocessJob.DEFAULT_STOP_AFTER_SAME_FAILURES);
        });
  }

  @Test
  void aBadPercentageFailsStartupNamingTheKeyTheValueAndTheRule() {
    runner.withPropertyValues("reprocess.jobs.backfill.max-errors=0%").run(context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis = new ReprocessConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis).isNotNull();
      assertThat(analysis.getDescription()).contains("reprocess.jobs.backfill.max-errors is '0%'",
          "more than 0% and at most 100%");
    });
  }
}
