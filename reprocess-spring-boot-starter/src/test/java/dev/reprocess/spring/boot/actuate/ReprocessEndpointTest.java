package dev.reprocess.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Outcome;
import dev.reprocess.spring.boot.ReprocessAutoConfiguration;
import dev.reprocess.spring.boot.ReprocessJobRegistry;
import dev.reprocess.EventHandler;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@ExtendWith(OutputCaptureExtension.class)
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
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      Map<String, JobView> jobs = endpoint.jobs();
      assertThat(jobs).containsOnlyKeys("gated", "quick");
      assertThat(jobs.get("quick").status()).isEqualTo(JobView.NOT_STARTED);
      assertThat(view(endpoint.job("quick")).status()).isEqualTo(JobView.NOT_STARTED);
      assertRefused(endpoint.job("nobody"), 404, "no job named 'nobody': the jobs are [gated, quick]");
    });
  }

  @Test
  void startsAJobAndShowsItsProgressToCompletion() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      assertThat(endpoint.operate("quick", "start").getStatus()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "quick").equals("COMPLETED"));
      JobView view = view(endpoint.job("quick"));
      assertThat(view.succeeded()).isEqualTo(IDS.size());
      assertThat(view.shardsCompleted()).isEqualTo(2);
      assertThat(view.shardsAlreadyCompleted()).isZero();
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
      assertThat(view(endpoint.operate("gated", "start")).status()).isIn("RUNNING", "PAUSED", "STOPPING");
      endpoint.operate("gated", "PAUSE");
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "gated").equals("PAUSED"));
      endpoint.operate("gated", "resume");
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "gated").equals("RUNNING"));
      assertRefused(endpoint.operate("gated", "start"), 409,
          "job 'gated' is RUNNING: cancel it or wait for its end first");
      assertRefused(endpoint.operate("gated", "restart"), 409,
          "job 'gated' is RUNNING: cancel it or wait for its end first");
      endpoint.operate("gated", "cancel");
      context.getBean(Beans.class).gate.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "gated").equals("CANCELLED"));
      assertRefused(endpoint.operate("gated", "cancel"), 409,
          "job 'gated' is CANCELLED: nothing to cancel (start or restart it to run it again)");
    });
  }

  @Test
  void refusesUnknownJobsOperationsAndControlOfAJobNeverStartedWithTheReasonAndLogsIt(CapturedOutput output) {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      assertRefused(endpoint.operate("nobody", "start"), 404, "no job named 'nobody': the jobs are [gated, quick]");
      assertRefused(endpoint.operate("quick", "rethrottle"), 400,
          "operation 'rethrottle' is unknown: it must be start, restart, pause, resume or cancel (to rethrottle: "
              + "POST max-events-per-second/<value> or concurrency/<value> under the job)");
      assertRefused(endpoint.rethrottle("quick", "concurrency", "2"), 409,
          "job 'quick' has not been started: start it first");
      for (String operation : List.of("pause", "resume", "cancel")) {
        assertRefused(endpoint.operate("quick", operation), 409, "job 'quick' has not been started: start it first");
      }
      assertThat(output).contains("reprocess endpoint: start of job 'nobody' refused (404): no job named 'nobody'")
          .contains("reprocess endpoint: pause of job 'quick' refused (409): job 'quick' has not been started");
    });
  }

  @Test
  void rethrottlesARunningJobAndRefusesBadLimitsWithTheRule() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      endpoint.operate("gated", "start");
      assertThat(view(endpoint.rethrottle("gated", "max-events-per-second", "5")).status())
          .isIn("RUNNING", "STOPPING");
      assertThat(view(endpoint.rethrottle("gated", "concurrency", "1")).status()).isIn("RUNNING", "STOPPING");
      assertThat(context.getBean(ReprocessJobRegistry.class).execution("gated").orElseThrow().progress()
          .concurrencyLimit()).isEqualTo(1);
      assertRefused(endpoint.rethrottle("gated", "max-events-per-second", "-1"), 400,
          "job 'gated': maxEventsPerSecond is -1.0: it must be 0 (no limit) or between 0.001 and 1.0E9");
      assertRefused(endpoint.rethrottle("gated", "concurrency", "2"), 400,
          "job 'gated': concurrency is 2: it must be 1 to 1 (the concurrency the job was built with)");
      assertRefused(endpoint.rethrottle("gated", "concurrency", "1.5"), 400,
          "concurrency is '1.5': it must be a number without a fraction");
      assertRefused(endpoint.rethrottle("gated", "speed", "5"), 400,
          "limit 'speed' is unknown: it must be max-events-per-second or concurrency");
      endpoint.operate("gated", "cancel");
      context.getBean(Beans.class).gate.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "gated").equals("CANCELLED"));
      assertRefused(endpoint.rethrottle("gated", "max-events-per-second", "5"), 409,
          "job 'gated' is CANCELLED: nothing to rethrottle (start or restart it to run it again)");
    });
  }

  @Test
  void refusesToControlAFinishedJobWithItsStatus() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      endpoint.operate("quick", "start");
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "quick").equals("COMPLETED"));
      for (String operation : List.of("pause", "resume", "cancel")) {
        assertRefused(endpoint.operate("quick", operation), 409,
            "job 'quick' is COMPLETED: nothing to " + operation + " (start or restart it to run it again)");
      }
      assertThat(status(endpoint, "quick")).isEqualTo("COMPLETED");
    });
  }

  @Test
  void startingACompletedJobAgainSkipsItsShardsAndRestartRunsThemAll() {
    runner.run(context -> {
      ReprocessEndpoint endpoint = context.getBean(ReprocessEndpoint.class);
      endpoint.operate("quick", "start");
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "quick").equals("COMPLETED"));

      assertThat(endpoint.operate("quick", "start").getStatus()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "quick").equals("COMPLETED"));
      JobView again = view(endpoint.job("quick"));
      assertThat(again.succeeded()).isZero();
      assertThat(again.shardsAlreadyCompleted()).isEqualTo(2).isEqualTo(again.shardsTotal());

      assertThat(endpoint.operate("quick", "restart").getStatus()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).until(() -> status(endpoint, "quick").equals("COMPLETED"));
      JobView restarted = view(endpoint.job("quick"));
      assertThat(restarted.succeeded()).isEqualTo(IDS.size());
      assertThat(restarted.shardsAlreadyCompleted()).isZero();
      assertThat(restarted.shardsCompleted()).isEqualTo(2);
    });
  }

  private static JobView view(WebEndpointResponse<Object> response) {
    assertThat(response.getStatus()).as("status of %s", response.getBody()).isEqualTo(200);
    return (JobView) response.getBody();
  }

  private static String status(ReprocessEndpoint endpoint, String name) {
    return view(endpoint.job(name)).status();
  }

  private static void assertRefused(WebEndpointResponse<Object> response, int status, String reason) {
    assertThat(response.getStatus()).isEqualTo(status);
    assertThat(response.getBody()).isEqualTo(Map.of("error", reason));
  }

  @Test
  void backsOffForTheApplicationsEndpointAndWhenTheHealthIndicatorIsDisabled() {
    runner.withPropertyValues("management.health.reprocess.enabled=false",
            "management.endpoints.web.exposure.exclude=reprocess")
        .run(context -> assertThat(context).doesNotHaveBean(ReprocessHealthIndicator.class)
            .doesNotHaveBean(ReprocessEndpoint.class));
  }
}
