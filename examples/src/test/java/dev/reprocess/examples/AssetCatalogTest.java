package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Command-line parsing: bad arguments fail with exit code 2 and a message, before any backend starts. */
class AssetCatalogTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return AssetCatalog.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void deleteExpiredNeedsATypeAndACutoff() {
    assertThat(run("run", "delete-expired", "--before", "2024-01-01")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--type=TYPE'");
  }

  @Test
  void aBadTimeIsRefusedWithTheExpectedFormat() {
    assertThat(run("run", "backfill", "--from", "2024-13-01")).isEqualTo(2);
    assertThat(err.toString()).contains("'2024-13-01' is not a time");
  }

  @Test
  void badValuesAreRefusedNamingTheOptionBeforeAnyServerStarts() {
    String[][] cases = {
        {"--concurrency is 0: it must be 1 to 10,000", "run", "backfill", "--concurrency", "0"},
        {"--max-rate is -5.0: it must be 0 (no limit) or 0.001 to 1,000,000,000 per second", "run", "backfill",
            "--max-rate=-5"},
        {"--max-rate is NaN", "run", "backfill", "--max-rate=NaN"},
        {"--type is '': name one or more asset types", "run", "backfill", "--type="},
        {"--from is 2024-02-01T00:00:00Z and --to is 2024-01-01T00:00:00Z: --from must be before --to", "run",
            "backfill", "--from", "2024-02-01", "--to", "2024-01-01"},
        {"PATH is '/nonexistent-reprocess-dir': it must be a readable directory", "demo", "/nonexistent-reprocess-dir"},
        {"--max-rate is 1.0E12", "demo", "--max-rate=1e12"},
        {"--cassandra is 'localhost:99999': it must be HOST:PORT, the port 1 to 65535", "run", "backfill",
            "--cassandra=localhost:99999"},
        {"--cassandra is 'localhost': it must be HOST:PORT", "status", "--cassandra=localhost"},
        {"--embedded-dir (or REPROCESS_EMBEDDED_DIR) is '/proc/reprocess-test': it must be a directory this program"
            + " can create, read and write", "status", "--embedded-dir=/proc/reprocess-test"},
        {"PATH is '/nonexistent-reprocess-dir': it must be a readable directory", "ingest",
            "/nonexistent-reprocess-dir"},
        {"--query is '{bad json': it must be one JSON object, an Elasticsearch query such as {\"match_all\": {}}"
            + " (not JSON near character 2", "run", "reindex", "--query", "{bad json"},
        {"--query is '[1]': it must be one JSON object", "run", "reindex", "--query", "[1]"},
        {"--query is '{} {}': it must be one JSON object", "run", "reindex", "--query", "{} {}"},
        {"--query is '{}': it must be one JSON object, an Elasticsearch query such as {\"match_all\": {}} (not a"
            + " query: ", "run", "reindex", "--query", "{}"},
        {"--query is '{\\n\"a\":\\nbad}': it must be one JSON object", "run", "reindex", "--query", "{\n\"a\":\nbad}"},
        {"--query is '" + "x".repeat(OptionChecks.SHOWN) + "'... (5,000 characters): it must be one JSON object",
            "run", "reindex", "--query", "x".repeat(5000)},
    };
    for (String[] c : cases) {
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).startsWith("error: " + c[0]);
      assertThat(out.toString()).as("nothing started for " + String.join(" ", args)).isEmpty();
    }
  }

  @Test
  void aCommandIsRequired() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("run")).isEqualTo(2);
    assertThat(err.toString()).contains("a job is required: backfill, reindex or delete-expired");
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("demo", "ingest", "run", "status", "reset", "dlq");
  }

  @Test
  void demoHasAFreshStartThatRedoesTheIngestAndTheBackfill() {
    assertThat(run("demo", "--help")).isZero();
    assertThat(out.toString()).contains("--fresh", "Deletes nothing else");
    DemoCommand demo = parse("demo", "--fresh");
    assertThat(demo.fresh).isTrue();
    assertThat(parse("demo").fresh).isFalse();
  }

  @Test
  void resetNeedsAJob() {
    assertThat(run("reset")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'JOB'");
  }

  @Test
  void theStartOverHintRepeatsTheCommandLineWithTheFlag() {
    assertThat(parse("demo").commandLineWith("--fresh")).isEqualTo("./run-example demo --fresh");
    assertThat(parse("demo", "/tmp/my files", "--no-progress").commandLineWith("--fresh"))
        .isEqualTo("./run-example demo '/tmp/my files' --no-progress --fresh");
    assertThat(parse("demo", "--fresh").commandLineWith("--fresh")).isEqualTo("./run-example demo --fresh");
    BackfillCommand backfill = (BackfillCommand) AssetCatalog.commandLine(new PrintWriter(out), new PrintWriter(err))
        .parseArgs("run", "backfill", "--type", "image/*").subcommand().subcommand().commandSpec().userObject();
    assertThat(backfill.commandLineWith("--restart"))
        .isEqualTo("./run-example run backfill --type 'image/*' --restart");
  }

  @Test
  void theResetHintKeepsTheConnectionOptionsOnly() {
    assertThat(parse("demo").resetCommandLine("backfill-sha256")).isEqualTo("./run-example reset backfill-sha256");
    assertThat(parse("demo", "/tmp/x", "--embedded-dir", "/data/my servers", "--no-progress", "--keyspace", "k",
        "--restart").resetCommandLine("backfill-sha256"))
        .isEqualTo("./run-example reset backfill-sha256 --embedded-dir '/data/my servers' --keyspace k");
  }

  private DemoCommand parse(String... args) {
    return (DemoCommand) AssetCatalog.commandLine(new PrintWriter(out), new PrintWriter(err)).parseArgs(args)
        .subcommand().commandSpec().userObject();
  }

  @Test
  void aReindexQueryNamesItsJobWithoutTheWhitespaceAroundIt() {
    ReindexCommand reindex = new ReindexCommand();
    reindex.query = ReindexCommand.DEFAULT_QUERY + "  \n";
    assertThat(reindex.jobName()).isEqualTo(ReindexCommand.JOB);
    reindex.query = " {\"match_all\": {}}";
    String matchAll = reindex.jobName();
    reindex.query = "{\"match_all\": {}}";
    assertThat(reindex.jobName()).isEqualTo(matchAll).startsWith(ReindexCommand.JOB + ".q-")
        .matches(dev.reprocess.ReprocessJob.NAME_PATTERN);
  }

  @Test
  void backfillJobNamesAreStableAndNameTheirSelection() {
    BackfillCommand all = new BackfillCommand();
    assertThat(all.jobName()).isEqualTo("backfill-sha256");
    BackfillCommand window = new BackfillCommand();
    window.from = Times.parse("2024-01-01");
    window.types = java.util.List.of("text/*");
    assertThat(window.jobName()).isEqualTo("backfill-sha256.text_all.2024-01-01T00-00-00Z_end")
        .matches(dev.reprocess.ReprocessJob.NAME_PATTERN);
  }
}
