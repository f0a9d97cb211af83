package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

class ReprocessConfigurationFailureAnalyzerTest {

  @Test
  void reportsTheKeyTheValueAndTheRuleOfABadProperty() {
    ConfigException bad = new ConfigException("reprocess.jobs.j.page-size",
        "reprocess.jobs.j.page-size is '0': pageSize is 0: it must be between 1 and 100000");
    FailureAnalysis analysis = new ReprocessConfigurationFailureAnalyzer()
        .analyze(new BeanCreationException("reprocessJobRegistry", "failed", bad));
    assertThat(analysis.getDescription()).isEqualTo("Invalid Reprocess job configuration: "
        + "reprocess.jobs.j.page-size is '0': pageSize is 0: it must be between 1 and 100000");
    assertThat(analysis.getAction()).isEqualTo("Update the property reprocess.jobs.j.page-size in the application's configuration.");
  }
}
