package dev.reprocess.config;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.EventHandler;
import dev.reprocess.EventSink;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.RunningElsewhere;
import dev.reprocess.deadletter.FileDeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Builds a {@link ReprocessJob} from a flat properties map, for applications that keep their jobs
 * in configuration (as Kafka clients take a {@code Map}); the Spring Boot starter reads {@code
 * reprocess.jobs.<name>.*} through it. The keys, relative to the job (relaxed names allowed, see
 * {@link ConfigValues} for the value formats):
 *
 * <table>
 *   <caption>Job properties</caption>
 *   <tr><th>key</th><th>meaning</th></tr>
 *   <tr><td>{@code selector.kind}</td><td>a selector kind of a {@link SelectorProvider} on the
 *       class path ({@code cassandra-time-bucket}, {@code cassandra-token-range}, {@code id-list}, {@code elasticsearch},
 *       ...), its options under {@code selector.*}; or</td></tr>
 *   <tr><td>{@code selector.bean}</td><td>the name of an {@link AssetSelector} in the context</td></tr>
 *   <tr><td>{@code handler} or {@code sink}</td><td>the name of an {@link EventHandler} or {@link
 *       EventSink} in the context; exactly one</td></tr>
 *   <tr><td>{@code page-size}, {@code shards-in-parallel}, {@code max-shards}, {@code concurrency}, {@code
 *       max-events-per-second}, {@code adaptive-concurrency}, {@code fail-fast}, {@code restart},
 *       {@code handler-timeout}, {@code outage-budget}, {@code checkpoint-interval}, {@code max-errors}, {@code
 *       stop-after-same-failures}, {@code limit-algorithm} ({@code gradient2}, {@code vegas},
 *       {@code aimd}), {@code min-concurrency}, {@code adaptive-rate}, {@code on-running-elsewhere}
 *       ({@code fail}, {@code take-over-expired}, {@code wait}), {@code lease-time-to-live}, {@code
 *       accept-changed-selection}</td><td>the {@link ReprocessJob.Builder} options of those names;
 *       {@code max-errors} is a count ({@code 7}) or, as DSBulk's, a percentage of the events
 *       processed so far ({@code 5%}: {@link ReprocessJob.Builder#maxErrorRatio
 *       maxErrorRatio(0.05)})</td></tr>
 *   <tr><td>{@code pressure-signal}</td><td>the name of a {@link PressureSignal} in the context (e.g.
 *       a {@code DriverPressureSignal} registered on the host's session)</td></tr>
 *   <tr><td>{@code retry.max-attempts}, {@code retry.initial-backoff}, {@code retry.multiplier},
 *       {@code retry.max-backoff}, {@code retry.jitter}</td><td>the {@link RetryOptions}</td></tr>
 *   <tr><td>{@code dead-letters.file} or {@code dead-letters.bean}</td><td>a {@link
 *       FileDeadLetterSink} on that file, or the named {@link DeadLetterSink}; default the
 *       logging sink</td></tr>
 *   <tr><td>{@code checkpoint-store}</td><td>the name of a {@link CheckpointStore}; default the
 *       context's one store, else the builder's default (in memory)</td></tr>
 * </table>
 *
 * <p>The context's one {@link MeterRegistry}, if any, receives the job's meters. Unknown keys are
 * refused. Every error is a {@link ConfigException} naming the full key, its value and the rule;
 * the rules are the builders' ({@link ReprocessJob.Builder#build()}, {@link
 * RetryOptions.Builder#build()}, the selector's), whose messages follow the key verbatim.
 *
 * <pre>{@code
 * ReprocessJob job = JobConfiguration.build("backfill-sizes", Map.of(
 *         "selector.kind", "cassandra-time-bucket",
 *         "selector.table", "media.assets_by_type_bucket",
 *         "selector.asset-types", "image/png,image/jpeg",
 *         "selector.from", "2024-06-01T00:00:00Z",
 *         "selector.to", "2024-08-01T00:00:00Z",
 *         "handler", "sizes",
 *         "max-events-per-second", "200"),
 *     ConfigContext.of(Map.of("sizes", sizesHandler, "session", session)));
 * }</pre>
 *
 * <p>Stateless and thread-safe; selector providers are looked up with {@link ServiceLoader} on
 * the thread's context class loader at each call.
 */
public final class JobConfiguration {

  private JobConfiguration() {}

  /** {@link #build(String, String, Map, ConfigContext)} with no key prefix in messages. */
  public static ReprocessJob build(String jobName, Map<String, String> properties, ConfigContext context) {
    return build(jobName, "", properties, context);
  }

  /**
   * Builds a job from its properties; does no I/O beyond what the selector's builder does.
   *
   * @param jobName the job's name ({@link ReprocessJob#NAME_PATTERN})
   * @param keyPrefix prepended to keys in messages, e.g. {@code reprocess.jobs.nightly.}
   * @param properties the job's keys (see the class comment) and values
   * @param context the named objects and backends' objects the properties refer to
   * @throws ConfigException naming the key, the value and the rule
   */
  public static ReprocessJob build(String jobName, String keyPrefix, Map<String, String> properties,
      ConfigContext context) {
    ConfigValues values = ConfigValues.of(keyPrefix, properties);
    ReprocessJob.Builder builder = ReprocessJob.builder(jobName);
    builder.selector(selector(values.section("selector"), context));
    deliveryTo(builder, values, context);
    values.integer("page-size").ifPresent(builder::pageSize);
    values.integer("shards-in-parallel").ifPresent(builder::shardsInParallel);
    values.integer("max-shards").ifPresent(builder::maxShards);
    values.integer("concurrency").ifPresent(builder::concurrency);
    values.decimal("max-events-per-second").ifPresent(builder::maxEventsPerSecond);
    values.bool("adaptive-concurrency").ifPresent(builder::adaptiveConcurrency);
    values.choice("limit-algorithm", LimitAlgorithm.class).ifPresent(builder::limitAlgorithm);
    values.integer("min-concurrency").ifPresent(builder::minConcurrency);
    values.bool("adaptive-rate").ifPresent(builder::adaptiveRate);
    values.string("pressure-signal")
        .map(name -> named(values, "pressure-signal", name, PressureSignal.class, context))
        .ifPresent(builder::pressureSignal);
    values.bool("fail-fast").ifPresent(builder::failFast);
    values.bool("restart").ifPresent(builder::restart);
    values.duration("handler-timeout").ifPresent(builder::handlerTimeout);
    values.choice("on-running-elsewhere", RunningElsewhere.class).ifPresent(builder::onRunningElsewhere);
    values.duration("lease-time-to-live").ifPresent(builder::leaseTimeToLive);
    values.bool("accept-changed-selection").ifPresent(builder::acceptChangedSelection);
    values.duration("outage-budget").ifPresent(builder::outageBudget);
    values.duration("checkpoint-interval").ifPresent(builder::checkpointInterval);
    maxErrors(values, builder);
    values.integer("stop-after-same-failures").ifPresent(n -> builder.stopAfterSameFailures(n));
    builder.retry(retry(values.section("retry")));
    deadLetters(values.section("dead-letters"), context).ifPresent(builder::deadLetterSink);
    values.string("checkpoint-store")
        .map(name -> named(values, "checkpoint-store", name, CheckpointStore.class, context))
        .or(() -> context.find(CheckpointStore.class))
        .ifPresent(builder::checkpointStore);
    context.find(MeterRegistry.class).ifPresent(builder::meterRegistry);
    values.refuseUnread();
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw values.fromBuilder(e, Map.of());
    }
  }

  /** The selector kinds of the {@link SelectorProvider}s on the class path, sorted. */
  public static List<String> selectorKinds() {
    TreeSet<String> kinds = new TreeSet<>();
    for (SelectorProvider p : providers()) {
      kinds.addAll(p.kinds());
    }
    return new ArrayList<>(kinds);
  }

  private static AssetSelector selector(ConfigValues selector, ConfigContext context) {
    if (selector.has("bean")) {
      if (selector.has("kind")) {
        throw new ConfigException(selector.key("kind"), selector.key("kind") + " and "
            + selector.key("bean") + " are both set: a job takes exactly one of them");
      }
      String name = selector.required("bean", "the name of an AssetSelector");
      return named(selector, "bean", name, AssetSelector.class, context);
    }
    String kind = selector.required("kind", "a selector kind, one of " + selectorKinds()
        + " (the providers on the class path), or set " + selector.key("bean")
        + " to the name of an AssetSelector");
    for (SelectorProvider p : providers()) {
      if (p.kinds().contains(kind)) {
        try {
          return p.create(kind, selector, context);
        } catch (ConfigException e) {
          throw e;
        } catch (IllegalArgumentException e) {
          selector.refuseUnread(); // a misspelt key is the likelier cause of the builder's complaint
          throw selector.fromBuilder(e, Map.of());
        }
      }
    }
    throw selector.invalid("kind", kind, "it must be one of " + selectorKinds()
        + " (the selector kinds of the modules on the class path: add reprocess-cassandra or "
        + "reprocess-elasticsearch for theirs)");
  }

  private static void deliveryTo(ReprocessJob.Builder builder, ConfigValues values, ConfigContext context) {
    boolean handler = values.has("handler");
    boolean sink = values.has("sink");
    if (handler == sink) {
      throw new ConfigException(values.key("handler"), values.key("handler") + " and "
          + values.key("sink") + " are " + (handler ? "both set" : "both unset")
          + ": a job requires exactly one, the name of an EventHandler or of an EventSink");
    }
    if (handler) {
      String name = values.required("handler", "the name of an EventHandler");
      builder.handler(named(values, "handler", name, EventHandler.class, context));
    } else {
      String name = values.required("sink", "the name of an EventSink");
      builder.sink(named(values, "sink", name, EventSink.class, context));
    }
  }

  /**
   * {@code max-errors}: a count ({@code 7}, {@code maxErrors}) or, like DSBulk's, a percentage of
   * the events processed so far ({@code 5%}, {@code maxErrorRatio}).
   */
  private static void maxErrors(ConfigValues values, ReprocessJob.Builder builder) {
    values.string("max-errors").map(String::strip).ifPresent(v -> {
      String rule = "it must be a count of dead letters, 0 or more (e.g. 100), or a percentage of the events "
          + "processed so far, more than 0% and at most 100% (e.g. 5% or 0.5%)";
      try {
        if (!v.endsWith("%")) {
          builder.maxErrors(Long.parseLong(v));
          return;
        }
        double percent = Double.parseDouble(v.substring(0, v.length() - 1).strip());
        if (!(percent > 0 && percent <= 100)) {
          throw values.invalid("max-errors", v, rule);
        }
        builder.maxErrorRatio(java.math.BigDecimal.valueOf(percent).movePointLeft(2).doubleValue());
      } catch (NumberFormatException e) {
        throw values.invalid("max-errors", v, rule);
      }
    });
  }

  private static RetryOptions retry(ConfigValues retry) {
    RetryOptions.Builder b = RetryOptions.custom();
    retry.integer("max-attempts").ifPresent(b::maxAttempts);
    retry.duration("initial-backoff").ifPresent(b::initialBackoff);
    retry.decimal("multiplier").ifPresent(b::multiplier);
    retry.duration("max-backoff").ifPresent(b::maxBackoff);
    retry.decimal("jitter").ifPresent(b::jitter);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw retry.fromBuilder(e, Map.of());
    }
  }

  private static java.util.Optional<DeadLetterSink> deadLetters(ConfigValues deadLetters, ConfigContext context) {
    boolean file = deadLetters.has("file");
    boolean bean = deadLetters.has("bean");
    if (file && bean) {
      throw new ConfigException(deadLetters.key("file"), deadLetters.key("file") + " and "
          + deadLetters.key("bean") + " are both set: give at most one (neither logs dead letters)");
    }
    if (file) {
      return java.util.Optional.of(new FileDeadLetterSink(Path.of(deadLetters.required("file", "a file path"))));
    }
    return deadLetters.string("bean")
        .map(name -> named(deadLetters, "bean", name, DeadLetterSink.class, context));
  }

  private static <T> T named(ConfigValues values, String key, String name, Class<T> type, ConfigContext context) {
    try {
      return context.named(name, type).orElseThrow(() -> values.invalid(key, name,
          "there is no " + type.getSimpleName() + " of that name"));
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw values.invalid(key, name, e.getMessage());
    }
  }

  private static Iterable<SelectorProvider> providers() {
    return ServiceLoader.load(SelectorProvider.class);
  }
}
