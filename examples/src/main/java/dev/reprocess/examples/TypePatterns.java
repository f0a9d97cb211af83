package dev.reprocess.examples;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Asset-type patterns of the command line: an exact media type ({@code image/png}) or a glob ({@code image/*}). */
final class TypePatterns {
  private TypePatterns() {}

  /** A predicate true for types that match any of {@code patterns}. */
  static Predicate<String> matcher(List<String> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      throw new IllegalArgumentException("--type is empty: give at least one media type or glob, e.g. image/*");
    }
    Predicate<String> any = t -> false;
    for (String p : patterns) {
      if (p == null || p.isBlank()) {
        throw new IllegalArgumentException("--type is '" + p + "': it must be a media type or a glob such as image/*");
      }
      Pattern regex = Pattern.compile(Arrays.stream(p.split("\\*", -1)).map(Pattern::quote)
          .collect(Collectors.joining(".*")));
      any = any.or(t -> regex.matcher(t).matches());
    }
    return any;
  }

  /** A job-name-safe form of patterns: {@code [image/*, text/plain]} -> {@code image_all.text_plain}. */
  static String slug(List<String> patterns) {
    return patterns.stream().map(p -> p.replace("*", "all").replaceAll("[^A-Za-z0-9-]", "_"))
        .collect(Collectors.joining("."));
  }
}
