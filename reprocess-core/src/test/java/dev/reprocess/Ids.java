package dev.reprocess;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Test data: asset ids {@code a-0 .. a-(n-1)}. */
final class Ids {
  private Ids() {}

  static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "a-" + i).collect(Collectors.toList());
  }

  static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "a-" + i).collect(Collectors.toList());
  }
}
