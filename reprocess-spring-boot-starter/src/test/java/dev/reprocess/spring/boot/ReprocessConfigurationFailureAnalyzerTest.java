package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

@ExtendWith(OutputCaptureExtension.class)
class ReprocessConfigurationFailureAnalyzerTest {

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(ReprocessAutoConfiguration.class)
  static class App {}

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

  @Test
  void ignoresOtherFailures() {
    assertThat(new ReprocessConfigurationFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
  }

  /** Through SpringApplication: the starter's report, not Boot's generic one of unbound properties. */
  @Test
  void anApplicationWithAMisspeltKeyReportsItWithTheValidKeys(CapturedOutput output) {
    SpringApplication app = new SpringApplication(App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.setDefaultProperties(Map.of("reprocess.jobs.nightly.handlr", "fixSizes"));
    assertThatThrownBy(app::run).isNotNull();
    assertThat(output).contains("Unknown Reprocess properties: reprocess.jobs.nightly.handlr=fixSizes")
        .contains("is not a Reprocess key")
        .contains("The keys of reprocess.jobs.<job>.* and reprocess.job-defaults.* are selector.*, handler, sink")
        .doesNotContain("were left unbound");
  }
}
