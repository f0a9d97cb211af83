package dev.reprocess.examples;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The asset catalog: a command-line program that stores real files as assets (Cassandra and
 * Elasticsearch) and runs three reprocessing jobs over them with Reprocess. With no connection
 * options it starts the backends it needs on this machine and keeps their data between runs.
 *
 * <pre>
 * asset-catalog demo                       # ingest /usr/share, then run backfill (job a)
 * asset-catalog demo --fresh               # the same, started over: ingest again, backfill from scratch
 * asset-catalog ingest [PATH]
 * asset-catalog run backfill [--from D] [--to D] [--restart]
 * asset-catalog run reindex [--query JSON]
 * asset-catalog run delete-expired --type T --before D [--dry-run]
 * asset-catalog status [JOB]
 * asset-catalog reset JOB                  # delete the job's checkpoints: its next run starts over
 * asset-catalog dlq list | dlq replay
 * </pre>
 *
 * Exit codes: 0 when every selected asset was processed, skipped or dead-lettered; 1 when a job is
 * incomplete or failed; 2 on bad arguments; 3 when a backend cannot be started or reached.
 */
@Command(name = "asset-catalog", mixinStandardHelpOptions = true, version = "asset-catalog 0.1.0",
    description = "Store real files as assets and reprocess them with Reprocess.",
    subcommands = {DemoCommand.class, IngestCommand.class, AssetCatalog.Run.class, StatusCommand.class,
        ResetCommand.class, DlqCommand.class, CommandLine.HelpCommand.class})
public final class AssetCatalog implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** {@code run JOB}: the three jobs. */
  @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a job: backfill, reindex or delete-expired.",
      subcommands = {BackfillCommand.class, ReindexCommand.class, DeleteExpiredCommand.class})
  static final class Run implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "a job is required: backfill, reindex or"
          + " delete-expired");
    }
  }

  /** The command line, printing to {@code out} and {@code err}. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new AssetCatalog());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Runs the program with {@code args} and returns its exit code. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  public static void main(String[] args) {
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }
}
