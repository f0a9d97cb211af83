package dev.reprocess.config;

import dev.reprocess.internal.Quote;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, checked reading of a flat properties map under a key prefix, remembering which keys were
 * read so that a misspelt key is refused instead of silently ignored ({@link #refuseUnread()}).
 * Every error is a {@link ConfigException} naming the full key, the value and the rule.
 *
 * <p>Keys are relaxed as in Spring Boot: {@code pageSize}, {@code page_size} and {@code page-size}
 * are the same key. Values are trimmed; an empty value counts as unset. Formats: integers and
 * decimals in Java syntax, booleans {@code true}/{@code false}, durations in ISO-8601 ({@code
 * PT0.5S}) or a number with a unit {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} ({@code
 * 500ms}), instants in ISO-8601 ({@code 2024-06-01T00:00:00Z}), lists comma-separated, choices
 * case-insensitive with {@code -} for {@code _}.
 *
 * <p>Not thread-safe: one configuration is read by one thread.
 */
public final class ConfigValues {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final Pattern OPTION_IN_MESSAGE = Pattern.compile("^([A-Za-z][A-Za-z0-9]*)(?:\\[\\d+])?(?: is | and | contains )");

  private final String prefix;
  private final String path;
  private final Map<String, String> values;
  private final Set<String> read;

  private ConfigValues(String prefix, String path, Map<String, String> values, Set<String> read) {
    this.prefix = prefix;
    this.path = path;
    this.values = values;
    this.read = read;
  }

  /**
   * Values over a map.
   *
   * @param prefix prepended to keys in messages, e.g. {@code reprocess.jobs.nightly.}; may be empty
   * @param properties the keys and values, relaxed names allowed; copied
   */
  public static ConfigValues of(String prefix, Map<String, String> properties) {
    Map<String, String> normalized = new LinkedHashMap<>();
    properties.forEach((key, value) -> {
      if (key == null) {
        throw new ConfigException(prefix, prefix + "<null key>: keys must be non-null");
      }
      String previous = normalized.put(normalize(key), value == null ? "" : value.trim());
      if (previous != null) {
        throw new ConfigException(prefix + key, prefix + key + " is given twice (keys are relaxed: "
            + "pageSize, page_size and page-size are one key): give it once");
      }
    });
    return new ConfigValues(prefix, "", normalized, new TreeSet<>());
  }

  /** The values under {@code name.}, sharing this one's record of keys read. */
  public ConfigValues section(String name) {
    return new ConfigValues(prefix, path + normalize(name) + ".", values, read);
  }

  /** The full key of an option of this section, as messages name it. */
  public String key(String name) {
    return prefix + path + normalize(name);
  }

  /** Whether a non-empty value is set for {@code name} or any key under {@code name.}. */
  public boolean has(String name) {
    String k = path + normalize(name);
    return values.entrySet().stream()
        .anyMatch(e -> (e.getKey().equals(k) || e.getKey().startsWith(k + ".")) && !e.getValue().isEmpty());
  }

  /** A text value; empty when unset or empty. */
  public Optional<String> string(String name) {
    String k = path + normalize(name);
    read.add(k);
    String value = values.get(k);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** A required text value; {@code what} says what it must be, for the message when unset. */
  public String required(String name, String what) {
    return string(name).orElseThrow(() -> new ConfigException(key(name), key(name) + " is not set: it must be " + what));
  }

  /** An integer. */
  public Optional<Integer> integer(String name) {
    return parsed(name, Integer::valueOf, "it must be an integer");
  }

  /** A decimal number. */
  public Optional<Double> decimal(String name) {
    return parsed(name, Double::valueOf, "it must be a number");
  }

  /** A boolean, {@code true} or {@code false} (any case). */
  public Optional<Boolean> bool(String name) {
    return string(name).map(v -> {
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.valueOf(v);
      }
      throw invalid(name, v, "it must be true or false");
    });
  }

  /** A duration, ISO-8601 ({@code PT1S}) or a number and unit ({@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d}). */
  public Optional<Duration> duration(String name) {
    return string(name).map(v -> {
      Matcher m = DURATION.matcher(v);
      if (m.matches()) {
        double amount = Double.parseDouble(m.group(1));
        long unitNanos = switch (m.group(2)) {
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          default -> 86_400_000_000_000L;
        };
        return Duration.ofNanos(Math.round(amount * unitNanos));
      }
      try {
        return Duration.parse(v);
      } catch (DateTimeParseException e) {
        throw invalid(name, v, "it must be a duration, ISO-8601 (PT1S) or a number and a unit "
            + "of ms, s, m, h, d (500ms, 2s)");
      }
    });
  }

  /** An instant, ISO-8601 ({@code 2024-06-01T00:00:00Z}). */
  public Optional<Instant> instant(String name) {
    return parsed(name, Instant::parse, "it must be an ISO-8601 instant such as 2024-06-01T00:00:00Z");
  }

  private <T> Optional<T> parsed(String name, Function<String, T> parser, String rule) {
    return string(name).map(v -> {
      try {
        return parser.apply(v);
      } catch (RuntimeException e) {
        throw invalid(name, v, rule);
      }
    });
  }

  /** A comma-separated list, items trimmed; empty when unset. Empty items are refused. */
  public List<String> list(String name) {
    Optional<String> value = string(name);
    if (value.isEmpty()) {
      return List.of();
    }
    List<String> items = new ArrayList<>();
    for (String item : value.get().split(",", -1)) {
      if (item.isBlank()) {
        throw invalid(name, value.get(), "it must be a comma-separated list without empty items");
      }
      items.add(item.trim());
    }
    return items;
  }

  /** One of an enum's constants, case-insensitive, {@code -} for {@code _}. */
  public <E extends Enum<E>> Optional<E> choice(String name, Class<E> type) {
    return string(name).map(v -> {
      String constant = v.toUpperCase(Locale.ROOT).replace('-', '_');
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(constant)) {
          return e;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw invalid(name, v, "it must be one of " + String.join(", ", allowed));
    });
  }

  /** An error naming an option of this section, its value and the rule. */
  public ConfigException invalid(String name, String value, String rule) {
    return new ConfigException(key(name), key(name) + " is '" + Quote.abbreviate(value) + "': " + rule);
  }

  /**
   * A builder's {@link IllegalArgumentException} as a {@link ConfigException} naming the key of the
   * option the message starts with ({@code pageSize is 0: ...} names {@code page-size}), among this
   * section's keys; the builder's message follows verbatim.
   *
   * @param builderError the builder's error
   * @param keysByOption builder option names mapped to key names where they differ (e.g. {@code
   *     maxEventsPerSecond} to {@code max-events-per-second} needs none; {@code ids} to {@code ids}
   *     neither); may be empty
   */
  public ConfigException fromBuilder(IllegalArgumentException builderError, Map<String, String> keysByOption) {
    if (builderError instanceof ConfigException c) {
      return c;
    }
    String message = String.valueOf(builderError.getMessage());
    Matcher m = OPTION_IN_MESSAGE.matcher(message);
    if (m.find()) {
      String option = m.group(1);
      String name = normalize(keysByOption.getOrDefault(option, option));
      String value = values.get(path + name);
      if (value != null) {
        return new ConfigException(key(name), key(name) + " is '" + Quote.abbreviate(value) + "': " + message, builderError);
      }
    }
    String section = (prefix + path).replaceAll("\\.$", "");
    return new ConfigException(section, section + ": " + message, builderError);
  }

  /**
   * Refuses the keys of this section that nothing read: a misspelt key must not be ignored.
   *
   * @throws ConfigException naming the first such key
   */
  public void refuseUnread() {
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith(path) && !read.contains(e.getKey())) {
        String k = prefix + e.getKey();
        throw new ConfigException(k, k + " is '" + Quote.abbreviate(e.getValue()) + "': it is not an option here "
            + "(misspelt, or for another selector kind); the options read were " + readOptions());
      }
    }
  }

  private String readOptions() {
    List<String> names = new ArrayList<>();
    for (String k : read) {
      if (k.startsWith(path)) {
        names.add(k.substring(path.length()));
      }
    }
    return String.join(", ", names);
  }

  /** {@code pageSize}, {@code page_size}, {@code PAGE-SIZE} become {@code page-size}. */
  static String normalize(String key) {
    StringBuilder b = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1))) {
        b.append('-');
      }
      b.append(c == '_' ? '-' : Character.toLowerCase(c));
    }
    return b.toString();
  }
}
