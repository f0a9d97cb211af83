package dev.reprocess;

/**
 * An opaque resume position inside one {@link Shard}: the last timeuuid read, a driver paging
 * state, the {@code search_after} values of the last hit. Only the selector that produced a cursor
 * can interpret it; everyone else stores and passes it back.
 *
 * <p>A cursor is a plain string so that every {@link CheckpointStore} can persist it and every
 * transport can carry it. Round trip: {@code Cursor.of(cursor.value()).equals(cursor)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Cursor {
  private final String value;

  private Cursor(String value) {
    this.value = value;
  }

  /**
   * Wraps a serialized cursor.
   *
   * @param value the serialized form, as returned by {@link #value()}; not null, not empty
   * @throws IllegalArgumentException if {@code value} is null or empty
   */
  public static Cursor of(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("cursor value is '" + value + "': it must be a non-empty string");
    }
    return new Cursor(value);
  }

  /** The serialized form, suitable for storage; never null or empty. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cursor && ((Cursor) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Cursor[" + value + "]";
  }

}
