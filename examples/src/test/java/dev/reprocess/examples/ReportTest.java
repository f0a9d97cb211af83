package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static JobReport report(JobStatus status, long selected, long succeeded, long skipped, long dead) {
    return new JobReport("backfill-sha256", status, selected, succeeded, skipped, 0, 0, dead, Duration.ofSeconds(3),
        100, Map.of(), "log", 4, 4, null);
  }

  @Test
  void aCompletedJobThatAccountsForEverySelectedAssetExitsZero() {
    Report r = new Report("run backfill").job(report(JobStatus.COMPLETED, 10, 7, 2, 1));
    StringWriter text = new StringWriter();
    r.print(new PrintWriter(text));

    assertThat(r.exitCode()).isZero();
    assertThat(text.toString()).contains("| selected ").contains("10 = selected").doesNotContain("FAILED");
  }

  @Test
  void aCompletedJobThatLostAssetsExitsOneWithTheCount() {
    Report r = new Report("run backfill").job(report(JobStatus.COMPLETED, 10, 7, 1, 0));
    StringWriter text = new StringWriter();
    r.print(new PrintWriter(text));

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.failure()).contains("2 selected assets were neither processed, skipped nor dead-lettered");
    assertThat(text.toString()).contains("8 != selected 10").contains("FAILED: job 'backfill-sha256'");
  }

  @Test
  void aCancelledJobExitsOneAndSaysHowToResume() {
    Report r = new Report("run backfill").job(report(JobStatus.CANCELLED, 10, 4, 0, 0));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.failure()).contains("CANCELLED").contains("again to resume");
  }
}
