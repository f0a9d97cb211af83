package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.SelectionDefinition;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.internal.IdLineReader;
import dev.reprocess.cassandra.internal.IdListPaginator;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.KeyLines;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.cassandra.internal.Timeuuids;
import dev.reprocess.internal.Quote;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

/**
 * Selects an explicit list of asset ids: from a collection, or from a UTF-8 file with one id per
 * line (surrounding blanks trimmed; blank lines and lines starting with {@code #} ignored). The
 * list is cut into chunks of {@link Builder#chunkSize(int) chunkSize} ids; each chunk is a shard,
 * with id {@code ids#<chunk number>} (from 0) and properties {@value #PROPERTY_FIRST} (the index
 * of its first id in the list), {@value #PROPERTY_COUNT} and, for a file, {@value #PROPERTY_OFFSET}
 * and {@value #PROPERTY_LINE} (where its first id is).
 *
 * <pre>{@code
 * AssetSelector selector = IdListSelector.builder()
 *     .idsFile(Path.of("ids-to-fix.txt"))
 *     .assetType("image/png")
 *     .chunkSize(1000)
 *     .build();
 * }</pre>
 *
 * <p>Ids are timeuuids by default (the asset ids of the reference layout) and each one's
 * timestamp is the asset's creation time; {@link Builder#timeuuidIds(boolean) timeuuidIds(false)}
 * accepts any non-blank string. A file is read once by {@link #shards()}, which checks every id and
 * notes where each chunk starts, and then chunk by chunk by the paginators: memory does not grow
 * with the file. The cursor is {@code <ids handed out>:<last id>}; a resumed chunk checks its last
 * id, so a list that changed between runs is refused rather than misread.
 *
 * <p><b>Composite keys.</b> With {@link Builder#keyColumns keyColumns} and {@link
 * Builder#table(CqlSession, String) table}, each line is one primary key of the table: the values
 * of the key columns in that order, comma-separated and quoted as in RFC 4180 (a value with a comma
 * or a double quote is enclosed in double quotes, an inner double quote doubled; a value cannot
 * span lines; an empty value is refused), e.g. {@code acme,2026-12-01,"item, 1",42}. The key
 * columns must be the table's whole primary key; {@link #shards()} checks them against the schema
 * metadata and types every value of every line (the forms of {@link AssetLoader}), failing with the
 * line number, the column, its type and the value before any id is handed out. Each asset's id is
 * the {@link Builder#idColumn id column}'s value in canonical text; the other key columns are its
 * attributes (what {@link AssetLoader#load(dev.reprocess.ReprocessEvent)} binds); a timeuuid id
 * gives the creation time. {@code maxIdLength} bounds the whole line.
 *
 * <p><b>Selection guarantee.</b> The list is the selection: every id in it is selected at least
 * once (once, plus the chunk in flight when a job stops), whatever production writes to the table
 * meanwhile and however often the job is stopped and resumed. Assets created during the job are
 * not selected unless listed; a listed asset deleted during the job is still selected ({@link
 * AssetLoader#load} then finds nothing), so handlers must tolerate a missing row.
 *
 * <p>Immutable and thread-safe. No Cassandra session is needed; pair it with an {@link
 * AssetLoader} when the handler needs the rows.
 */
public final class IdListSelector implements AssetSelector {
  /** Shard property: the index in the list of the chunk's first id. */
  public static final String PROPERTY_FIRST = "first";
  /** Shard property: the number of ids in the chunk. */
  public static final String PROPERTY_COUNT = "count";
  /** Shard property, for a file: the byte offset of the line of the chunk's first id. */
  public static final String PROPERTY_OFFSET = "offset";
  /** Shard property, for a file: the line number (from 1) of the chunk's first id. */
  public static final String PROPERTY_LINE = "line";
  /** Default longest id, in characters: {@value}. */
  public static final int DEFAULT_MAX_ID_LENGTH = 1_024;
  /** Largest accepted {@code maxIdLength}: {@value} (Cassandra's limit on a key's size). */
  public static final int MAX_MAX_ID_LENGTH = 65_535;

  private final List<String> ids;
  private final Path file;
  private final int chunkSize;
  private final String assetType;
  private final boolean timeuuidIds;
  private final int maxIdLength;
  private final CompositeKey composite;
  private final Lazy<KeyLines> keyLines;

  /** The composite-key options, checked by the builder; null for a list of single ids. */
  private record CompositeKey(CqlSession session, TableName table, List<CqlIdentifier> columns, CqlIdentifier id) {}

  private IdListSelector(List<String> ids, Path file, Builder b, CompositeKey composite) {
    this.maxIdLength = b.maxIdLength;
    this.ids = ids;
    this.file = file;
    this.chunkSize = b.chunkSize;
    this.assetType = b.assetType;
    this.timeuuidIds = b.timeuuidIds;
    this.composite = composite;
    this.keyLines = composite == null ? null : new Lazy<>(
        () -> KeyLines.of(composite.session(), composite.table(), composite.columns(), composite.id(), assetType));
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The chunks. For a file, reads it once to check the ids and find where each chunk starts.
   *
   * @throws IllegalArgumentException if the file does not exist, an id in it is not a timeuuid
   *     (with {@code timeuuidIds(true)}), a line is longer than {@code maxIdLength}, or, with key
   *     columns, they are not the table's primary key or a line is not a key of it
   * @throws ReprocessException if the file cannot be read
   */
  @Override
  public List<Shard> shards() {
    return file == null ? listShards() : fileShards();
  }

  private List<Shard> listShards() {
    if (composite != null) {
      for (int i = 0; i < ids.size(); i++) {
        keyLines.get().asset(ids.get(i), "ids[" + i + "]");
      }
    }
    List<Shard> shards = new ArrayList<>();
    for (int first = 0; first < ids.size(); first += chunkSize) {
      shards.add(shard(shards.size(), first, Math.min(chunkSize, ids.size() - first), null, 0));
    }
    return shards;
  }

  private List<Shard> fileShards() {
    List<Shard> shards = new ArrayList<>();
    KeyLines lines = composite == null ? null : keyLines.get();
    try (IdLineReader reader = new IdLineReader(file, 0, 1, maxIdLength)) {
      int index = 0;
      long chunkOffset = 0;
      long chunkLine = 0;
      int inChunk = 0;
      for (String id = reader.nextId(); id != null; id = reader.nextId()) {
        if (lines != null) {
          lines.asset(id, "idsFile is '" + file + "': line " + reader.idLine());
        } else if (timeuuidIds && !Timeuuids.isTimeuuid(id)) {
          throw new IllegalArgumentException(
              "idsFile is '" + file + "': line " + reader.idLine() + " is '" + Quote.abbreviate(id)
                  + "', it must be a timeuuid (or set timeuuidIds(false))");
        }
        if (inChunk == 0) {
          chunkOffset = reader.idOffset();
          chunkLine = reader.idLine();
        }
        index++;
        inChunk++;
        if (inChunk == chunkSize) {
          shards.add(shard(shards.size(), index - inChunk, inChunk, chunkOffset, chunkLine));
          inChunk = 0;
        }
      }
      if (inChunk > 0) {
        shards.add(shard(shards.size(), index - inChunk, inChunk, chunkOffset, chunkLine));
      }
      return shards;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("idsFile is '" + file + "': it does not exist", e);
    } catch (IdLineReader.LineTooLongException tooLong) {
      throw new IllegalArgumentException("idsFile is '" + file + "': " + tooLong.getMessage()
          + ": an id is at most maxIdLength (" + maxIdLength + ") characters; set maxIdLength(...) for longer ids");
    } catch (IOException e) {
      throw new ReprocessException("idsFile is '" + file + "': reading it failed: " + e.getMessage(), e);
    }
  }

  private Shard shard(int number, int first, int count, Long offset, long line) {
    Map<String, String> properties = offset == null
        ? Map.of(PROPERTY_FIRST, Integer.toString(first), PROPERTY_COUNT, Integer.toString(count))
        : Map.of(
            PROPERTY_FIRST, Integer.toString(first),
            PROPERTY_COUNT, Integer.toString(count),
            PROPERTY_OFFSET, Long.toString(offset),
            PROPERTY_LINE, Long.toString(line));
    return new Shard("ids#" + number, assetType, properties);
  }

  /**
   * Opens a paginator over one chunk.
   *
   * @param from a previous page's cursor of the same chunk, or {@code null}
   * @throws IllegalArgumentException if {@code pageSize} is below 1, the shard is not a chunk of
   *     this list, or the cursor does not match the chunk
   */
  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    Objects.requireNonNull(shard, "shard");
    int first;
    int count;
    try {
      first = Integer.parseInt(shard.property(PROPERTY_FIRST));
      count = Integer.parseInt(shard.property(PROPERTY_COUNT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("shard is '" + shard.id() + "': an id-list selector did not make it", e);
    }
    IdListPaginator.Source source;
    if (file == null) {
      if (first < 0 || count < 1 || (long) first + count > ids.size()) {
        throw new IllegalArgumentException(
            "shard is '" + shard.id() + "': ids " + first + " to " + (first + count) + " are not in this list of "
                + ids.size());
      }
      List<String> chunk = ids.subList(first, first + count);
      int[] next = {0};
      source = () -> chunk.get(next[0]++);
    } else {
      long offset;
      long line;
      try {
        offset = Long.parseLong(shard.property(PROPERTY_OFFSET));
        line = Long.parseLong(shard.property(PROPERTY_LINE));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("shard is '" + shard.id() + "': it is not a chunk of an id file", e);
      }
      source = fileSource(shard.id(), offset, line);
    }
    try {
      return new IdListPaginator(source, shard.id(), toAsset(shard.id()), count, from, pageSize);
    } catch (RuntimeException e) {
      try {
        source.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The asset of a line: a single id, or a composite key's id with the other key columns as attributes. */
  private Function<String, AssetRef> toAsset(String shardId) {
    if (composite == null) {
      return id -> {
        UUID uuid = timeuuidIds ? Timeuuids.parse(id) : null;
        return new AssetRef(id, assetType, uuid == null ? null : Timeuuids.createdAt(uuid), Map.of());
      };
    }
    KeyLines lines = keyLines.get();
    return line -> {
      try {
        return lines.asset(line, "shard " + shardId + ": a line");
      } catch (IllegalArgumentException e) {
        throw new ReprocessException(e.getMessage() + ": the id list changed since it was split", e);
      }
    };
  }

  private IdListPaginator.Source fileSource(String shardId, long offset, long line) {
    IdLineReader reader;
    try {
      reader = new IdLineReader(file, offset, line, maxIdLength);
    } catch (IOException e) {
      throw new ReprocessException("shard " + shardId + ": opening '" + file + "' failed: " + e.getMessage(), e);
    }
    return new IdListPaginator.Source() {
      @Override
      public String next() throws IOException {
        String id = reader.nextId();
        if (id != null && composite == null && timeuuidIds && !Timeuuids.isTimeuuid(id)) {
          throw new ReprocessException(
              "shard " + shardId + ": line " + reader.idLine() + " of '" + file + "' is '" + Quote.abbreviate(id)
                  + "', not a timeuuid: the file changed since it was split");
        }
        return id;
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }

  /** The chunk's size: it is known for free. */
  @Override
  public OptionalLong estimateCount(Shard shard) {
    try {
      return OptionalLong.of(Long.parseLong(shard.property(PROPERTY_COUNT)));
    } catch (RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The chunk's size, without reading it: exactly the ids its paginator hands out, since an id list
   * selects every listed id whatever the table holds (for a file, as {@link #shards()} read it).
   */
  @Override
  public long count(Shard shard, int pageSize) {
    return estimateCount(shard).orElseGet(() -> AssetSelector.super.count(shard, pageSize));
  }

  /** E.g. {@code id list of 12000 ids} or {@code id file ids.txt}. */
  @Override
  public String describe() {
    return file == null ? "id list of " + ids.size() + " ids" : "id file " + file;
  }

  /**
   * The selection's definition: chunk size, asset type, whether ids are timeuuids, the table, key
   * and id columns of a composite-key list, and the ids: for
   * a list, the count and the SHA-256 of the ids (one per line); for a file, its absolute path and
   * size in bytes (read from its metadata; the content is not hashed, so an edit that keeps the
   * size is not seen).
   */
  @Override
  public String selectionDefinition() {
    Map<String, Object> d = new HashMap<>();
    d.put("kind", "cassandra-id-list");
    d.put("chunkSize", chunkSize);
    d.put("assetType", assetType);
    d.put("timeuuidIds", timeuuidIds);
    if (composite != null) {
      d.put("table", composite.table().cql());
      d.put("keyColumns", composite.columns().stream().map(c -> c.asCql(true)).toList());
      d.put("idColumn", composite.id().asCql(true));
    }
    if (file == null) {
      d.put("ids", ids.size() + " ids, sha256 " + SelectionDefinition.fingerprint(String.join("\n", ids)));
    } else {
      long size;
      try {
        size = java.nio.file.Files.size(file);
      } catch (java.io.IOException e) {
        size = -1; // shards() reports the unreadable file
      }
      d.put("file", file.toAbsolutePath() + " (" + size + " bytes)");
    }
    return SelectionDefinition.of(d);
  }

  /** Builds an {@link IdListSelector}. Mutable and not thread-safe; {@link #build()} does no I/O. */
  public static final class Builder {
    private Collection<String> ids;
    private Path file;
    private int chunkSize = 1000;
    private String assetType;
    private boolean timeuuidIds = true;
    private boolean timeuuidIdsSet;
    private int maxIdLength = DEFAULT_MAX_ID_LENGTH;
    private List<String> keyColumns;
    private CqlSession session;
    private String table;
    private String idColumn;

    private Builder() {}

    /**
     * The longest id accepted, in characters: 1 to {@value IdListSelector#MAX_MAX_ID_LENGTH};
     * default {@value IdListSelector#DEFAULT_MAX_ID_LENGTH}. With {@link #keyColumns}, the longest
     * line (the whole key, as written). A longer id in the collection is refused by {@link
     * #build()}; a longer line in the file by {@link IdListSelector#shards()}, with its line number
     * and a short excerpt, before any id is handed out.
     */
    public Builder maxIdLength(int maxIdLength) {
      this.maxIdLength = maxIdLength;
      return this;
    }

    /**
     * The ids, in reading order (with {@link #keyColumns}, one key line each); copied by {@link
     * #build()}. Exactly one of this and {@link #idsFile}.
     */
    public Builder ids(Collection<String> ids) {
      this.ids = ids;
      return this;
    }

    /** A UTF-8 file with one id (or key line) per line. Exactly one of this and {@link #ids}. */
    public Builder idsFile(Path file) {
      this.file = file;
      return this;
    }

    /** Ids per shard, at least 1. Default 1000. */
    public Builder chunkSize(int chunkSize) {
      this.chunkSize = chunkSize;
      return this;
    }

    /** The asset type of every id, or {@code null} (the default) when unknown. */
    public Builder assetType(String assetType) {
      this.assetType = assetType;
      return this;
    }

    /**
     * Whether every id must be a timeuuid (whose timestamp is the creation time). Default true. Not
     * with {@link #keyColumns}, where the table's schema types every value.
     */
    public Builder timeuuidIds(boolean timeuuidIds) {
      this.timeuuidIds = timeuuidIds;
      this.timeuuidIdsSet = true;
      return this;
    }

    /**
     * Makes each line a primary key of {@link #table}: the values of these columns, in this order,
     * comma-separated and quoted as in RFC 4180 (see the class comment). They must be the table's
     * whole primary key (partition and clustering columns, in any order), checked with their
     * types by {@link IdListSelector#shards()}. Default none: a line is one id.
     */
    public Builder keyColumns(String... columns) {
      this.keyColumns = List.of(columns);
      return this;
    }

    /**
     * The table whose primary key {@link #keyColumns} names, read through the host's session
     * (schema metadata only; never closed by the selector). Required with {@code keyColumns}, not
     * allowed without.
     */
    public Builder table(CqlSession session, String table) {
      this.session = session;
      this.table = table;
      return this;
    }

    /**
     * The key column whose value is the asset id; the other key columns become attributes. Only
     * with {@link #keyColumns}; default {@code asset_id}.
     */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    /**
     * The selector. Checks a collection's ids; a file is read later, by {@link IdListSelector#shards()},
     * which also checks the key columns against the table's schema.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public IdListSelector build() {
      if ((ids == null) == (file == null)) {
        throw new IllegalArgumentException(
            "ids and idsFile are " + (ids == null ? "both unset" : "both set") + ": exactly one of them must be set");
      }
      if (chunkSize < 1) {
        throw new IllegalArgumentException("chunkSize is " + chunkSize + ": it must be at least 1");
      }
      if (assetType != null && assetType.isBlank()) {
        throw new IllegalArgumentException("assetType is '" + assetType + "': it must be null or non-blank");
      }
      if (maxIdLength < 1 || maxIdLength > MAX_MAX_ID_LENGTH) {
        throw new IllegalArgumentException("maxIdLength is " + maxIdLength + ": it must be 1 to " + MAX_MAX_ID_LENGTH);
      }
      CompositeKey composite = checkedCompositeKey();
      if (file != null) {
        return new IdListSelector(null, file, this, composite);
      }
      List<String> copy = new ArrayList<>(ids.size());
      int i = 0;
      for (String id : ids) {
        if (id == null || id.isBlank()) {
          throw new IllegalArgumentException("ids[" + i + "] is '" + id + "': it must be a non-blank id");
        }
        if (id.length() > maxIdLength) {
          throw new IllegalArgumentException("ids[" + i + "] is '" + Quote.abbreviate(id) + "': it must be at most"
              + " maxIdLength (" + maxIdLength + ") characters");
        }
        if (composite == null && timeuuidIds && !Timeuuids.isTimeuuid(id)) {
          throw new IllegalArgumentException(
              "ids[" + i + "] is '" + Quote.abbreviate(id) + "': it must be a timeuuid (or set timeuuidIds(false))");
        }
        copy.add(id);
        i++;
      }
      return new IdListSelector(List.copyOf(copy), null, this, composite);
    }

    /** The composite-key options, checked without I/O; null when there are none. */
    private CompositeKey checkedCompositeKey() {
      if (keyColumns == null) {
        if (table != null || session != null || idColumn != null) {
          String option = idColumn != null ? "idColumn is '" + idColumn + "'" : "table is '" + table + "'";
          throw new IllegalArgumentException(option + ": it is only for a list of composite keys, set keyColumns");
        }
        return null;
      }
      if (keyColumns.isEmpty()) {
        throw new IllegalArgumentException("keyColumns is empty: it must name the table's primary-key columns");
      }
      if (timeuuidIdsSet) {
        throw new IllegalArgumentException("timeuuidIds is " + timeuuidIds + ": with keyColumns the table's schema"
            + " types every value, leave timeuuidIds unset");
      }
      if (session == null) {
        throw new IllegalArgumentException("table is not set: keyColumns are typed by the table's schema, set"
            + " table(session, \"keyspace.table\")");
      }
      if (table == null) {
        throw new IllegalArgumentException("table is not set: it must name the table whose primary key keyColumns"
            + " names, e.g. 'media.items_by_day'");
      }
      TableName name = Identifiers.parseTable("table", table, session);
      List<CqlIdentifier> columns = new ArrayList<>();
      for (String c : keyColumns) {
        CqlIdentifier column = Identifiers.parse("keyColumns", c);
        if (columns.contains(column)) {
          throw new IllegalArgumentException("keyColumns names '" + c + "' twice: each key column once");
        }
        columns.add(column);
      }
      CqlIdentifier id = Identifiers.parse("idColumn", idColumn == null ? "asset_id" : idColumn);
      if (!columns.contains(id)) {
        throw new IllegalArgumentException("idColumn is '" + id.asCql(true) + "': it must be one of keyColumns ("
            + String.join(", ", keyColumns) + ")" + (idColumn == null ? "; the default is asset_id" : ""));
      }
      return new CompositeKey(session, name, List.copyOf(columns), id);
    }
  }
}
