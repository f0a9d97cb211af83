package dev.reprocess.examples;

import dev.reprocess.ReprocessException;
import dev.reprocess.testkit.BackendException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every command shares: the connection options, {@code --no-progress}, the backends it needs
 * (started or connected before {@link #call(Backends, Lifecycle)} and stopped after it, also on
 * Ctrl-C), and the mapping of errors to one-line messages and exit codes: 0 done, 1 incomplete or
 * failed, 2 bad arguments, 3 a backend could not be started or reached.
 */
abstract class BaseCommand implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_INCOMPLETE = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_BACKEND = 3;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--no-progress", description = "No progress bar (without a terminal there is none either:"
      + " one line every 10 s instead).")
  boolean noProgress;

  @Spec
  CommandSpec spec;

  /** The backends this command needs. */
  abstract Set<Backends.Kind> backends();

  /**
   * Checks the command's own option values before any backend starts; default: nothing to check.
   *
   * @throws IllegalArgumentException naming the option, the value and the rule
   */
  void checkOptions() {}

  /** The command itself, with its backends ready. */
  abstract int call(Backends backends, Lifecycle lifecycle) throws Exception;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * The command line the user typed, as {@code ./run-example ...}, with {@code flag} added unless
   * it is there: what to run to start the job over.
   */
  String commandLineWith(String flag) {
    List<String> args = new ArrayList<>(rootArgs());
    if (!args.contains(flag)) {
      args.add(flag);
    }
    return shellLine(args);
  }

  /**
   * {@code ./run-example reset JOB} with the connection options the user typed (the same servers
   * and keyspace), e.g. {@code ./run-example reset backfill-sha256 --embedded-dir /data}.
   */
  String resetCommandLine(String job) {
    List<String> args = new ArrayList<>(List.of("reset", job));
    Set<String> connectionOptions = new HashSet<>();
    spec.mixins().get("connection").options().forEach(o -> connectionOptions.add(o.longestName()));
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (CommandLine.Model.OptionSpec o : parsed == null ? List.<CommandLine.Model.OptionSpec>of()
        : parsed.matchedOptions()) {
      if (connectionOptions.contains(o.longestName())) {
        o.originalStringValues().forEach(v -> args.addAll(List.of(o.longestName(), v)));
      }
    }
    return shellLine(args);
  }

  /** {@code ./run-example} and {@code args}, those a shell would split or expand single-quoted. */
  private static String shellLine(List<String> args) {
    StringBuilder line = new StringBuilder("./run-example");
    for (String arg : args) {
      boolean plain = arg.matches("[A-Za-z0-9._/:=,@+%-]+");
      line.append(' ').append(plain ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return line.toString();
  }

  /** The arguments the program was given (after its name), as typed; empty outside a command line. */
  private List<String> rootArgs() {
    CommandLine root = spec.commandLine();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getParseResult() == null ? List.of() : root.getParseResult().originalArgs();
  }

  Progress.Mode progressMode() {
    return Progress.mode(noProgress);
  }

  @Override
  public final Integer call() {
    PrintWriter out = out();
    PrintWriter err = err();
    try (Lifecycle lifecycle = new Lifecycle()) {
      if (connection.cassandra != null) {
        OptionChecks.hostPort("--cassandra", connection.cassandra);
      }
      checkOptions();
      Backends backends = new Backends(connection, out);
      lifecycle.onShutdown(backends::close);
      backends.require(backends());
      return call(backends, lifecycle);
    } catch (BackendException e) {
      err.println("error: could not start a backend: " + Report.oneLine(e));
      return EXIT_BACKEND;
    } catch (IllegalArgumentException e) {
      err.println("error: " + Report.oneLine(e));
      return EXIT_USAGE;
    } catch (com.datastax.oss.driver.api.core.AllNodesFailedException e) {
      err.println("error: Cassandra is not reachable: " + Report.oneLine(e));
      return EXIT_BACKEND;
    } catch (ReprocessException e) {
      err.println("error: " + Report.oneLine(e));
      return EXIT_INCOMPLETE;
    } catch (Exception e) {
      err.println("error: " + e.getClass().getSimpleName() + ": " + Report.oneLine(e));
      LoggerFactory.getLogger(getClass()).error("{} failed", spec.qualifiedName(), e);
      return EXIT_INCOMPLETE;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
