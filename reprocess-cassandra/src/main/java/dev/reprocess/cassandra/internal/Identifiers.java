package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the table and column names a host gives, in CQL form: an unquoted name (letters, digits
 * and underscores, starting with a letter; case-insensitive, as in CQL) or a double-quoted one
 * (case-sensitive, {@code ""} for a quote). Anything else is refused before it can reach a
 * statement; names are always rendered back through {@link CqlIdentifier#asCql(boolean)}.
 */
public final class Identifiers {
  private static final Pattern UNQUOTED = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

  private Identifiers() {}

  /**
   * One identifier.
   *
   * @param option the builder option, for the message
   * @throws IllegalArgumentException naming the option and the value if it is not a CQL identifier
   */
  public static CqlIdentifier parse(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is '" + value + "': it must be a non-blank CQL identifier");
    }
    if (UNQUOTED.matcher(value).matches()) {
      return CqlIdentifier.fromCql(value);
    }
    if (isQuoted(value)) {
      return CqlIdentifier.fromCql(value);
    }
    throw new IllegalArgumentException(
        option + " is '" + value + "': it must be a CQL identifier (letters, digits and underscores, starting"
            + " with a letter, at most 48 characters) or a double-quoted name");
  }

  /**
   * A table name, {@code keyspace.table} (either part may be double-quoted), or a bare table name
   * when the session has a keyspace.
   */
  public static TableName parseTable(String option, String value, CqlSession session) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is '" + value + "': it must be 'keyspace.table'");
    }
    List<String> parts = splitOutsideQuotes(value);
    if (parts.size() == 2) {
      return new TableName(part(option, value, "keyspace", parts.get(0)), part(option, value, "table", parts.get(1)));
    }
    if (parts.size() == 1) {
      Optional<CqlIdentifier> keyspace = session == null ? Optional.empty() : session.getKeyspace();
      if (keyspace.isPresent()) {
        return new TableName(keyspace.get(), part(option, value, "table", parts.get(0)));
      }
      throw new IllegalArgumentException(
          option + " is '" + value + "': it must be 'keyspace.table', since the session has no keyspace");
    }
    throw new IllegalArgumentException(option + " is '" + value + "': it must be 'keyspace.table'");
  }

  private static CqlIdentifier part(String option, String whole, String what, String value) {
    try {
      return parse(option, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          option + " is '" + whole + "': the " + what + " name '" + value + "' must be a CQL identifier (letters,"
              + " digits and underscores, starting with a letter, at most 48 characters) or a double-quoted name");
    }
  }

  private static boolean isQuoted(String value) {
    if (value.length() < 3 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
      return false;
    }
    for (int i = 1; i < value.length() - 1; i++) {
      if (value.charAt(i) == '"') {
        if (i + 1 < value.length() - 1 && value.charAt(i + 1) == '"') {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }

  private static List<String> splitOutsideQuotes(String value) {
    List<String> parts = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '.' && !quoted) {
        parts.add(value.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(value.substring(start));
    return parts;
  }
}
