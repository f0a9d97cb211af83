package dev.reprocess.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Outcome;
import dev.reprocess.spring.boot.ReprocessAutoConfiguration;
import dev.reprocess.EventHandler;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ReprocessEndpointTest {

  static final List<String> IDS = IntStream.range(0, 20).mapToObj(i -> "asset-" + i).toList();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReprocessAutoConfiguration.class,
          ReprocessActuatorAutoConfiguration.class))
      .withUserConfiguration(Beans.class)
      .withPropertyValues(
          "management.endpoints.web.exposure.include=reprocess",
          "reprocess.jobs.gated.selector.bean=catalog",
          "reprocess.jobs.gated.handler=gatedHandler",
          "reprocess.jobs.gated.concurrency=1",
          "reprocess.jobs.quick.selector.bean=catalog",
          "reprocess.jobs.quick.handler=quickHandler");

  /** A handler that waits for the gate to open, so a test sees its job running. */
  @Configuration(proxyBeanMethods = false)
  static class Beans {
    final CountDownLatch gate = new CountDownLatch(1);

    @Bean
    InMemorySelector catalog() {
      return InMemorySelector.ofIds(IDS, 2);
    }

    @Bean
    EventHandler gatedHandler() {
      return event -> gate.await(30, TimeUnit.SECONDS) ? Outcome.SUCCEEDED : Outcome.SKIPPED;
    }

    @Bean
    EventHandler quickHandler() {
      return event -> Outcome.SUCCEEDED;
    }
  }

  @Test
  void listsTheJobsNotStarted() {
    runner.run(context -> {
      Map<String, JobView> jobs = context.getBean(ReprocessEndpoint.class).jobs();
      assertThat(jobs).containsOnlyKeys("gated", "quick");
      assertThat(jobs.get("quick").status()).isEqualTo(JobView.NOT_STARTED);
      assertThat(context.getBean(ReprocessEndpoint.class).job("nobody")).isNull();
    });
  }

  @Test
  void startsAJobAndShowsItsProgressToCompletion() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      endpoint.operate("quick", "start");
      await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.job("quick").status().equals("COMPLETED"));
      JobView view = endpoint.job("quick");
      assertThat(view.succeeded()).isEqualTo(IDS.size());
      assertThat(view.shardsCompleted()).isEqualTo(2);
      assertThat(view.failure()).isNull();
      Health health = context.getBean(ReprocessHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("quick", Map.of("status", "COMPLETED"))
          .containsEntry("gated", Map.of("status", JobView.NOT_STARTED));
    });
  }

  @Test
  void pausesResumesAndCancelsARunningJob() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      assertThat(endpoint.operate("gated", "start").status()).isIn("RUNNING", "PAUSED", "STOPPING");
      endpoint.operate("gated", "PAUSE");
      await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.job("gated").status().equals("PAUSED"));
      endpoint.operate("gated", "resume");
      await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.job("gated").status().equals("RUNNING"));
      assertThatThrownBy(() -> endpoint.operate("gated", "start"))
          .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("gated");
      endpoint.operate("gated", "cancel");
      context.getBean(Beans.class).gate.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.job("gated").status().equals("CANCELLED"));
    });
  }

  @Test
  void rethrottlesARunningJobAndRefusesBadLimitsWithTheRule() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      endpoint.operate("gated", "start");
      assertThat(endpoint.operate("gated", "rethrottle", 5.0, 1).status()).isIn("RUNNING", "STOPPING");
      assertThat(endpoint.operate("gated", "RETHROTTLE", 0.0, null).status()).isIn("RUNNING", "STOPPING");
      assertThatThrownBy(() -> endpoint.operate("gated", "rethrottle", -1.0, null))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("maxEventsPerSecond is -1.0: it must be 0 (no limit) or between 0.001 and 1.0E9");
      assertThatThrownBy(() -> endpoint.operate("gated", "rethrottle", null, 2))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessageContaining("concurrency is 2: it must be 1 to 1");
      assertThatThrownBy(() -> endpoint.operate("gated", "rethrottle"))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("rethrottle needs maxEventsPerSecond and/or concurrency");
      assertThatThrownBy(() -> endpoint.operate("gated", "pause", 5.0, null))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("maxEventsPerSecond and concurrency only go with the rethrottle operation, not pause");
      endpoint.operate("gated", "cancel");
      context.getBean(Beans.class).gate.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> endpoint.job("gated").status().equals("CANCELLED"));
    });
  }

  @Test
  void refusesUnknownJobsOperationsAndControlOfAJobNeverStarted() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      assertThatThrownBy(() -> endpoint.operate("quick", "throttle"))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("operation 'throttle' is unknown: it must be start, pause, resume, cancel or rethrottle");
      assertThatThrownBy(() -> endpoint.operate("nobody", "start"))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("no job named 'nobody': the jobs are [gated, quick]");
      assertThatThrownBy(() -> endpoint.operate("quick", "rethrottle", 5.0, null))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("job 'quick' has not been started: start it first");
      assertThatThrownBy(() -> endpoint.operate("quick", "pause"))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessage("job 'quick' has not been started: start it first");
    });
  }

  @Test
  void backsOffForTheApplicationsEndpointAndWhenTheHealthIndicatorIsDisabled() {
    runner.withPropertyValues("management.health.reprocess.enabled=false",
            "management.endpoints.web.exposure.exclude=reprocess")
        .run(context -> assertThat(context).doesNotHaveBean(ReprocessHealthIndicator.class)
            .doesNotHaveBean(ReprocessEndpoint.class));
  }
}
