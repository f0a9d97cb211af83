package dev.reprocess.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs named variants round-robin: every round runs each variant once, in an order rotated by one
 * each round (so no variant always runs first or last on a noisy machine); warm-up rounds are not
 * recorded. Each variant returns its own rate (it knows what to time), and the figures are the
 * medians over the measured rounds; ratios are medians of the per-round ratios ({@link #ratio}).
 */
final class Rounds {
  /** One timed execution returning a rate (units per second). */
  @FunctionalInterface
  interface Variant {
    double run(int round) throws Exception;
  }

  private final String caseName;
  private final Map<String, Variant> variants = new LinkedHashMap<>();
  private final Map<String, List<Double>> rates = new LinkedHashMap<>();

  Rounds(String caseName) {
    this.caseName = caseName;
  }

  Rounds add(String name, Variant variant) {
    variants.put(name, variant);
    return this;
  }

  Rounds run(int warmups, int runs) throws Exception {
    List<String> order = new ArrayList<>(variants.keySet());
    for (int round = 0; round < warmups + runs; round++) {
      boolean measured = round >= warmups;
      for (String name : order) {
        double rate = variants.get(name).run(round);
        Log.info("%s %s %d: %-44s %,12.0f /s", caseName, measured ? "run" : "warm-up",
            measured ? round - warmups + 1 : round + 1, name, rate);
        if (measured) {
          rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
        }
      }
      Collections.rotate(order, 1);
    }
    return this;
  }

  double median(String name) {
    List<Double> values = rates.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no measured runs of " + name);
    }
    return Stats.median(values);
  }

  /**
   * The median over the measured rounds of {@code numerator}'s rate divided by {@code
   * denominator}'s rate in the same round: paired ratios, so a round the machine slowed down for
   * both sides does not move it, unlike a ratio of the two medians.
   */
  double ratio(String numerator, String denominator) {
    List<Double> a = rates.get(numerator);
    List<Double> b = rates.get(denominator);
    if (a == null || b == null) {
      throw new IllegalArgumentException("no measured runs of " + (a == null ? numerator : denominator));
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      ratios.add(a.get(i) / b.get(i));
    }
    return Stats.median(ratios);
  }

  String runs(String name) {
    StringBuilder sb = new StringBuilder();
    for (double v : rates.get(name)) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v));
    }
    return sb.toString();
  }
}
