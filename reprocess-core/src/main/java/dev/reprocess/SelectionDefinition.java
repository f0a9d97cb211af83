package dev.reprocess;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The canonical text of a selection's definition, its fingerprint and the difference of two
 * definitions. A definition is one {@code key=value} line per property, sorted by key (see {@link
 * AssetSelector#selectionDefinition()}); the fingerprint is the SHA-256 of its UTF-8 bytes, in hex.
 * Stateless and thread-safe.
 */
public final class SelectionDefinition {

  private SelectionDefinition() {}

  /**
   * The canonical definition of these properties: {@code key=value} lines sorted by key, joined
   * with {@code \n}. A null value is written {@code null}; line breaks in a value become {@code \n}
   * escapes so that one property stays one line.
   *
   * @throws IllegalArgumentException if a key is empty or holds {@code =} or a line break
   */
  public static String of(Map<String, ?> properties) {
    Objects.requireNonNull(properties, "properties");
    StringBuilder out = new StringBuilder();
    new TreeMap<>(properties).forEach((key, value) -> {
      if (key.isEmpty() || key.contains("=") || key.contains("\n")) {
        throw new IllegalArgumentException("selection definition key is '" + key
            + "': a key must be non-empty, without '=' or a line break");
      }
      String text = String.valueOf(value).replace("\\", "\\\\").replace("\n", "\\n");
      out.append(out.length() == 0 ? "" : "\n").append(key).append('=').append(text);
    });
    return out.toString();
  }

  /** The SHA-256 of the definition's UTF-8 bytes, as 64 lowercase hex digits. */
  public static String fingerprint(String definition) {
    Objects.requireNonNull(definition, "definition");
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(definition.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /**
   * What changed from one definition to another, one entry per property: {@code window: 'a' ->
   * 'b'}, {@code +key: 'v'} (added), {@code -key: 'v'} (removed); empty when they are equal.
   */
  public static List<String> differences(String before, String after) {
    Map<String, String> old = parse(before);
    Map<String, String> now = parse(after);
    TreeSet<String> keys = new TreeSet<>(old.keySet());
    keys.addAll(now.keySet());
    List<String> out = new ArrayList<>();
    for (String key : keys) {
      String a = old.get(key);
      String b = now.get(key);
      if (a == null) {
        out.add("+" + key + ": '" + b + "'");
      } else if (b == null) {
        out.add("-" + key + ": '" + a + "'");
      } else if (!a.equals(b)) {
        out.add(key + ": '" + a + "' -> '" + b + "'");
      }
    }
    return out;
  }

  private static Map<String, String> parse(String definition) {
    Map<String, String> pairs = new TreeMap<>();
    for (String line : definition.split("\n", -1)) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        pairs.put(line, "");
      } else {
        pairs.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return pairs;
  }
}
