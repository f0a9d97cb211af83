package dev.reprocess.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.reprocess.ReprocessJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Checks of command-line values that a command makes before any backend starts, so that a bad
 * value costs no server start. Each throws {@link IllegalArgumentException} naming the option as
 * typed, the value and the rule (the commands print it and exit with the usage code).
 */
final class OptionChecks {
  /** Reads a whole value as one JSON document: text after it is an error. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /** The most characters of a value an error message shows. */
  static final int SHOWN = 200;

  private OptionChecks() {}

  /**
   * An Elasticsearch query: one JSON object, e.g. {@code {"match_all": {}}}, that Elasticsearch's
   * client reads as a query. What the query matches is Elasticsearch's to judge, when the job counts
   * its hits.
   */
  static void elasticsearchQuery(String option, String value) {
    String rule = ": it must be one JSON object, an Elasticsearch query such as {\"match_all\": {}}";
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " near character " + (e.getLocation().getCharOffset() + 1);
      throw new IllegalArgumentException(option + " is " + shown(value) + rule + " (not JSON" + where + ": "
          + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(option + " is " + shown(value) + rule);
    }
    try {
      SearchIndex.query(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " is " + shown(value) + rule + " (not a query: "
          + Report.oneLine(e) + ")");
    }
  }

  /**
   * A value as an error message shows it: in quotes, line breaks and other control characters
   * escaped (the console shows one line per error), cut after {@value #SHOWN} characters.
   */
  static String shown(String value) {
    StringBuilder b = new StringBuilder("'");
    int end = Math.min(value.length(), SHOWN);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('\'');
    if (value.length() > SHOWN) {
      b.append(String.format("... (%,d characters)", value.length()));
    }
    return b.toString();
  }

  /** Events in flight of a job: 1 to {@link ReprocessJob#MAX_CONCURRENCY}. */
  static void concurrency(String option, int value) {
    if (value < 1 || value > ReprocessJob.MAX_CONCURRENCY) {
      throw new IllegalArgumentException(String.format("%s is %d: it must be 1 to %,d", option, value,
          ReprocessJob.MAX_CONCURRENCY));
    }
  }

  /** A rate limit: 0 (no limit), or {@link ReprocessJob#MIN_EVENTS_PER_SECOND} to {@link ReprocessJob#MAX_EVENTS_PER_SECOND}. */
  static void maxRate(String option, double value) {
    boolean limit = value >= ReprocessJob.MIN_EVENTS_PER_SECOND && value <= ReprocessJob.MAX_EVENTS_PER_SECOND;
    if (!(limit || (value == 0 && Double.doubleToRawLongBits(value) == 0L))) {
      throw new IllegalArgumentException(String.format("%s is %s: it must be 0 (no limit) or %s to %,.0f per second",
          option, value, ReprocessJob.MIN_EVENTS_PER_SECOND, ReprocessJob.MAX_EVENTS_PER_SECOND));
    }
  }

  /** Asset types, exact or globs: at least one, none blank. */
  static void types(String option, List<String> types) {
    if (types == null || types.isEmpty() || types.stream().anyMatch(t -> t == null || t.isBlank())) {
      throw new IllegalArgumentException(option + " is '" + (types == null ? "" : String.join(",", types))
          + "': name one or more asset types, exact or globs (image/png, image/*), separated by commas");
    }
  }

  /** A window given by both ends: {@code from} before {@code to}. Either may be null (not given). */
  static void window(String fromOption, Instant from, String toOption, Instant to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException(fromOption + " is " + from + " and " + toOption + " is " + to + ": "
          + fromOption + " must be before " + toOption);
    }
  }

  /**
   * A {@code HOST:PORT} address, the port 1 to 65535.
   *
   * @return the port
   */
  static int hostPort(String option, String value) {
    int colon = value.lastIndexOf(':');
    String digits = colon < 1 ? "" : value.substring(colon + 1);
    int port = digits.matches("[0-9]{1,5}") ? Integer.parseInt(digits) : 0;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(option + " is '" + value + "': it must be HOST:PORT, the port 1 to 65535");
    }
    return port;
  }

  /** A directory to read. */
  static void readableDirectory(String name, Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(d) || !Files.isReadable(d)) {
      throw new IllegalArgumentException(name + " is '" + dir + "': it must be a readable directory");
    }
  }
}
