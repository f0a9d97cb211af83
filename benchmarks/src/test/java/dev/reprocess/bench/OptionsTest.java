package dev.reprocess.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void defaultsRunEveryCaseWithoutTheExtraVariantsAndWithTheWorkersDefaultConcurrency() {
    Options o = Options.parse(new String[0]);

    assertThat(o.cases).containsExactlyElementsOf(Options.ALL_CASES).contains("engine");
    assertThat(o.extra).isFalse();
    assertThat(o.workerConcurrency).isZero();
    assertThat(o.quick).isFalse();
    assertThat(o.assets).isEqualTo(1_000_000);
  }

  @Test
  void clientPropertiesAreRepeatableAndKeptApartForSinkAndWorker() {
    Options o = Options.parse(new String[] {"--sink-property", "linger.ms=20", "--worker-property",
        "max.poll.records=2000", "--sink-property", "compression.type = lz4"});

    assertThat(o.sinkProperties).containsExactly(entry("linger.ms", "20"), entry("compression.type", "lz4"));
    assertThat(o.workerProperties).containsExactly(entry("max.poll.records", "2000"));
  }

  @Test
  void theDirectJobsConcurrencyIsTheJobsDefaultUnlessGivenAndMustBePositive() {
    assertThat(Options.parse(new String[0]).jobConcurrency).isZero();
    assertThat(Options.parse(new String[] {"--job-concurrency", "4"}).jobConcurrency).isEqualTo(4);
    assertThatThrownBy(() -> Options.parse(new String[] {"--job-concurrency", "0"}))
        .hasMessageContaining("--job-concurrency");
  }

  @Test
  void extraAndWorkerConcurrencyAreTakenInAnyPositionAndSizesGivenWithQuickWin() {
    Options o = Options.parse(new String[] {"--assets", "5000", "--extra", "--quick", "--worker-concurrency", "32",
        "--cases", "engine, Cassandra", "--memory-small", "100"});

    assertThat(o.extra).isTrue();
    assertThat(o.quick).isTrue();
    assertThat(o.assets).isEqualTo(5000);
    assertThat(o.runs).isEqualTo(3);
    assertThat(o.workerConcurrency).isEqualTo(32);
    assertThat(o.cases).containsExactly("engine", "cassandra");
  }

  @Test
  void helpIsAUsageExceptionWithoutAMessage() {
    assertThatThrownBy(() -> Options.parse(new String[] {"--quick", "--help"}))
        .isInstanceOf(Options.UsageException.class).hasMessage(null);
  }

  @Test
  void badCommandLinesNameTheOptionTheValueAndTheRule() {
    assertThatThrownBy(() -> Options.parse(new String[] {"--extra", "--extra"}))
        .hasMessage("--extra is given twice");
    assertThatThrownBy(() -> Options.parse(new String[] {"--worker-concurrency", "0"}))
        .hasMessage("--worker-concurrency is 0: it must be at least 1");
    assertThatThrownBy(() -> Options.parse(new String[] {"--worker-concurrency"}))
        .hasMessage("option --worker-concurrency needs a value");
    assertThatThrownBy(() -> Options.parse(new String[] {"--sink-property", "linger.ms"}))
        .hasMessage("--sink-property is 'linger.ms': it must be key=value, e.g. linger.ms=20");
    assertThatThrownBy(() -> Options.parse(new String[] {"--cases", "engine,bogus"}))
        .hasMessage("--cases has 'bogus': it must be among " + Options.ALL_CASES);
    assertThatThrownBy(() -> Options.parse(new String[] {"--page-size", "10001"}))
        .hasMessageStartingWith("--page-size is 10001: it must be at most 10000");
    assertThatThrownBy(() -> Options.parse(new String[] {"--quick", "--memory-small", "100000"}))
        .hasMessage("--memory-small is 100000: it must be below --assets (100000), the larger memory job");
  }

  @Test
  void theMemoryRuleAppliesOnlyWhenTheMemoryCaseRuns() {
    Options o = Options.parse(new String[] {"--quick", "--cases", "engine", "--memory-small", "100000"});

    assertThat(o.cases).containsExactly("engine");
  }
}
