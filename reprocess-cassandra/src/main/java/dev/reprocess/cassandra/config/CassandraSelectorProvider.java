package dev.reprocess.cassandra.config;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.reprocess.AssetSelector;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.IdListSelector;
import dev.reprocess.cassandra.ReadOrder;
import dev.reprocess.cassandra.TableSelector;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.cassandra.TokenRangeSelector;
import dev.reprocess.config.ConfigContext;
import dev.reprocess.config.ConfigException;
import dev.reprocess.config.ConfigValues;
import dev.reprocess.config.SelectorProvider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Cassandra module's selector kinds for {@link dev.reprocess.config.JobConfiguration}, each
 * option the builder method of the same name (keys relative to the job's {@code selector.}):
 *
 * <ul>
 *   <li>{@value #TIME_BUCKET}: {@link TimeBucketSelector}. {@code table}, {@code asset-types}
 *       (comma-separated), {@code from}, {@code to} (ISO-8601 instants: the window), {@code
 *       bucketing} ({@code hourly}, {@code daily} (default), {@code weekly}, {@code monthly}),
 *       {@code order} ({@code newest-first} (default), {@code oldest-first}), {@code
 *       asset-type-column}, {@code bucket-column}, {@code id-column}, {@code bucket-type} ({@code
 *       text}, {@code date}, {@code int}, {@code bigint}, {@code timestamp}), {@code
 *       select-columns}, {@code consistency-level}, {@code execution-profile}, {@code
 *       estimate-counts}.
 *   <li>{@value #TOKEN_RANGE}: {@link TokenRangeSelector}. {@code table}, {@code id-column},
 *       {@code asset-type-column}, {@code splits}, {@code select-columns}, {@code
 *       consistency-level}, {@code execution-profile}.
 *   <li>{@value #TABLE}: {@link TableSelector}. {@code table}, {@code partition-values} (each
 *       listed partition-key column and its values: {@code tenant=a,b;shard_no=0,1,2,3}, columns
 *       separated by {@code ;}, values by {@code ,}, in text form as {@link
 *       TableSelector.Builder#partitionValueTexts} reads them), {@code bucket-column}, {@code
 *       bucketing}, {@code from}, {@code to} (the window, both or neither), {@code time-column},
 *       {@code id-column}, {@code asset-type-column}, {@code reversed}, {@code select-columns},
 *       {@code consistency-level}, {@code execution-profile}.
 *   <li>{@value #ID_LIST}: {@link IdListSelector}. {@code ids} (comma-separated) or {@code
 *       ids-file} (one id per line), {@code chunk-size}, {@code asset-type}, {@code timeuuid-ids},
 *       {@code max-id-length}; for composite keys {@code key-columns} (comma-separated), {@code
 *       table}, {@code id-column} and {@code session}, with {@code ids-file} holding one key line
 *       each ({@code ids}, itself comma-separated, is refused with several key columns).
 * </ul>
 *
 * <p>The table kinds, and an id list of composite keys, read with the context's one {@link
 * CqlSession}, or the one named by {@code session}. Thread-safe.
 */
public final class CassandraSelectorProvider implements SelectorProvider {

  /** Kind of the {@link TimeBucketSelector}: {@value}. */
  public static final String TIME_BUCKET = "cassandra-time-bucket";
  /** Kind of the {@link TokenRangeSelector}: {@value}. */
  public static final String TOKEN_RANGE = "cassandra-token-range";
  /** Kind of the {@link TableSelector}: {@value}. */
  public static final String TABLE = "cassandra-table";
  /** Kind of the {@link IdListSelector}: {@value}. */
  public static final String ID_LIST = "id-list";

  /** Bucketings by name, as {@code bucketing} takes them. */
  private enum BucketingName { HOURLY, DAILY, WEEKLY, MONTHLY }

  @Override
  public Set<String> kinds() {
    return Set.of(TIME_BUCKET, TOKEN_RANGE, TABLE, ID_LIST);
  }

  @Override
  public AssetSelector create(String kind, ConfigValues options, ConfigContext context) {
    return switch (kind) {
      case TIME_BUCKET -> timeBucket(options, session(options, context));
      case TOKEN_RANGE -> tokenRange(options, session(options, context));
      case TABLE -> table(options, session(options, context));
      case ID_LIST -> idList(options, context);
      default -> throw new IllegalArgumentException("kind is '" + kind + "': it must be one of " + kinds());
    };
  }

  private static TimeBucketSelector timeBucket(ConfigValues o, CqlSession session) {
    TimeBucketSelector.Builder b = TimeBucketSelector.builder(session);
    b.table(o.required("table", "the table, keyspace.table"));
    b.assetTypes(o.list("asset-types"));
    Instant[] window = window(o);
    b.window(window[0], window[1]);
    bucketing(o, b::bucketing);
    o.choice("order", ReadOrder.class).ifPresent(b::order);
    o.string("asset-type-column").ifPresent(b::assetTypeColumn);
    o.string("bucket-column").ifPresent(b::bucketColumn);
    o.string("id-column").ifPresent(b::idColumn);
    o.choice("bucket-type", BucketType.class).ifPresent(b::bucketType);
    b.selectColumns(o.list("select-columns").toArray(String[]::new));
    o.choice("consistency-level", DefaultConsistencyLevel.class).ifPresent(b::consistencyLevel);
    o.string("execution-profile").ifPresent(b::executionProfile);
    o.bool("estimate-counts").ifPresent(b::estimateCounts);
    return b.build();
  }

  /** The window {@code from}, {@code to}: both set, from before to. */
  private static Instant[] window(ConfigValues o) {
    Instant from = o.instant("from").orElseThrow(() -> missing(o, "from", "the window's start, an ISO-8601 instant"));
    Instant to = o.instant("to").orElseThrow(() -> missing(o, "to", "the window's end, an ISO-8601 instant"));
    if (!from.isBefore(to)) {
      throw new ConfigException(o.key("from"), o.key("from") + " is '" + from + "': it must be before "
          + o.key("to") + " ('" + to + "'), the window is from (inclusive) to (exclusive)");
    }
    return new Instant[] {from, to};
  }

  private static void bucketing(ConfigValues o, Consumer<Bucketing> set) {
    o.choice("bucketing", BucketingName.class).ifPresent(name -> set.accept(switch (name) {
      case HOURLY -> Bucketing.hourly();
      case DAILY -> Bucketing.daily();
      case WEEKLY -> Bucketing.weekly();
      case MONTHLY -> Bucketing.monthly();
    }));
  }

  private static TableSelector table(ConfigValues o, CqlSession session) {
    TableSelector.Builder b = TableSelector.builder(session);
    b.table(o.required("table", "the table, keyspace.table"));
    o.string("partition-values").ifPresent(v -> partitionValues(o, v, b));
    o.string("bucket-column").ifPresent(b::bucketColumn);
    bucketing(o, b::bucketing);
    if (o.has("from") || o.has("to")) {
      Instant[] window = window(o);
      b.window(window[0], window[1]);
    }
    o.string("time-column").ifPresent(b::timeColumn);
    o.string("id-column").ifPresent(b::idColumn);
    o.string("asset-type-column").ifPresent(b::assetTypeColumn);
    o.bool("reversed").ifPresent(b::reversed);
    b.selectColumns(o.list("select-columns").toArray(String[]::new));
    o.choice("consistency-level", DefaultConsistencyLevel.class).ifPresent(b::consistencyLevel);
    o.string("execution-profile").ifPresent(b::executionProfile);
    return b.build();
  }

  /** {@code tenant=a,b;shard_no=0,1}: each column's values, given as text. */
  private static void partitionValues(ConfigValues o, String value, TableSelector.Builder b) {
    for (String group : value.split(";", -1)) {
      int eq = group.indexOf('=');
      if (group.isBlank() || eq < 1 || group.substring(0, eq).isBlank()) {
        throw o.invalid("partition-values", value, "it must be column=value,value;column=value,... (e.g."
            + " tenant=a,b;shard_no=0,1,2,3)");
      }
      List<String> values = new ArrayList<>();
      for (String v : group.substring(eq + 1).split(",", -1)) {
        if (v.isBlank()) {
          throw o.invalid("partition-values", value, "the values of '" + group.substring(0, eq).trim()
              + "' must be a comma-separated list without empty items");
        }
        values.add(v.trim());
      }
      b.partitionValueTexts(group.substring(0, eq).trim(), values);
    }
  }

  private static TokenRangeSelector tokenRange(ConfigValues o, CqlSession session) {
    TokenRangeSelector.Builder b = TokenRangeSelector.builder(session);
    b.table(o.required("table", "the table, keyspace.table"));
    o.string("id-column").ifPresent(b::idColumn);
    o.string("asset-type-column").ifPresent(b::assetTypeColumn);
    o.integer("splits").ifPresent(b::splits);
    b.selectColumns(o.list("select-columns").toArray(String[]::new));
    o.choice("consistency-level", DefaultConsistencyLevel.class).ifPresent(b::consistencyLevel);
    o.string("execution-profile").ifPresent(b::executionProfile);
    return b.build();
  }

  private static IdListSelector idList(ConfigValues o, ConfigContext context) {
    IdListSelector.Builder b = IdListSelector.builder();
    List<String> keyColumns = o.list("key-columns");
    if (!keyColumns.isEmpty()) {
      b.keyColumns(keyColumns.toArray(String[]::new));
      b.table(session(o, context), o.required("table", "the table whose primary key key-columns names, keyspace.table"));
      o.string("id-column").ifPresent(b::idColumn);
      if (keyColumns.size() > 1 && o.has("ids")) {
        throw o.invalid("ids", o.string("ids").orElse(""), "with several key-columns, the keys must come from"
            + " ids-file (one key line each): ids is itself comma-separated");
      }
    }
    if (o.has("ids")) {
      b.ids(o.list("ids"));
    }
    o.string("ids-file").map(Path::of).ifPresent(b::idsFile);
    o.integer("chunk-size").ifPresent(b::chunkSize);
    o.string("asset-type").ifPresent(b::assetType);
    o.bool("timeuuid-ids").ifPresent(b::timeuuidIds);
    o.integer("max-id-length").ifPresent(b::maxIdLength);
    return b.build();
  }

  private static CqlSession session(ConfigValues o, ConfigContext context) {
    java.util.Optional<String> name = o.string("session");
    if (name.isPresent()) {
      return context.named(name.get(), CqlSession.class)
          .orElseThrow(() -> o.invalid("session", name.get(), "there is no CqlSession of that name"));
    }
    return context.find(CqlSession.class).orElseThrow(() -> new ConfigException(o.key("kind"),
        o.key("kind") + " needs a CqlSession: there is none in the context (add the application's "
            + "session, or name one with " + o.key("session") + ")"));
  }

  private static ConfigException missing(ConfigValues o, String name, String what) {
    return new ConfigException(o.key(name), o.key(name) + " is not set: it must be " + what);
  }
}
