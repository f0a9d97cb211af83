package dev.reprocess.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Runs named variants round-robin: every round runs each variant once, in an order rotated every
 * other round and reversed every other round ({@link #order}), so no variant always runs first or
 * last, or always before its baseline, on a noisy machine; warm-up rounds are not
 * recorded. Variants added as one {@link #block()} (a library variant and its baseline) run back to
 * back in every round, so that their paired ratio compares two runs seconds apart, never two runs
 * at the opposite ends of a round. Each variant returns its own rate (it knows what to time), and
 * the figures are the medians over the measured rounds; ratios are medians of the per-round ratios
 * ({@link #ratio}).
 * Each run's client CPU time (this JVM's, every thread) is recorded too ({@link #cpuMicrosPerUnit}).
 */
final class Rounds {
  /** One timed execution returning a rate (units per second). */
  @FunctionalInterface
  interface Variant {
    double run(int round) throws Exception;
  }

  private final String caseName;
  private final Map<String, Variant> variants = new LinkedHashMap<>();
  /** The variants' names in blocks, in the order added: each block runs back to back. */
  private final List<List<String>> blocks = new ArrayList<>();
  private final Map<String, List<Double>> rates = new LinkedHashMap<>();
  private final Map<String, List<Double>> cpuMicrosPerUnit = new LinkedHashMap<>();
  private final Map<String, List<Double>> serverCpuMicrosPerUnit = new LinkedHashMap<>();
  private LongSupplier serverCpuNanos;
  private final LongSupplier nanoTime;

  Rounds(String caseName) {
    this(caseName, System::nanoTime);
  }

  /** With the clock that times each run for the CPU-per-unit figures (a test's manual one). */
  Rounds(String caseName, LongSupplier nanoTime) {
    this.caseName = caseName;
    this.nanoTime = nanoTime;
  }

  /** Also records a server's CPU time per unit ({@link #serverCpuMicrosPerUnit}); null records none. */
  Rounds serverCpu(LongSupplier cpuNanos) {
    this.serverCpuNanos = cpuNanos;
    return this;
  }

  boolean hasServerCpu() {
    return serverCpuNanos != null;
  }

  /** Adds a variant that runs on its own: a block of one. */
  Rounds add(String name, Variant variant) {
    block().add(name, variant);
    return this;
  }

  /**
   * Starts a block: the variants added to it run back to back in every round, their order reversed
   * every other round. The block takes its place in the rotation with its first variant.
   */
  Block block() {
    return new Block();
  }

  /** Variants that run back to back; see {@link #block()}. */
  final class Block {
    private final List<String> names = new ArrayList<>();

    private Block() {}

    Block add(String name, Variant variant) {
      if (variants.putIfAbsent(name, variant) != null) {
        throw new IllegalArgumentException("variant added twice: " + name);
      }
      if (names.isEmpty()) {
        blocks.add(names);
      }
      names.add(name);
      return this;
    }
  }

  Rounds run(int warmups, int runs) throws Exception {
    for (int round = 0; round < warmups + runs; round++) {
      boolean measured = round >= warmups;
      for (String name : order(blocks, round)) {
        long cpu0 = processCpuNanos();
        long serverCpu0 = serverCpuNanos == null ? 0 : serverCpuNanos.getAsLong();
        Reads.takeIdleTail();
        Reads.variant(name);
        long wall0 = nanoTime.getAsLong();
        double rate = variants.get(name).run(round);
        double units = rate * (nanoTime.getAsLong() - wall0) / 1e9;
        double cpuMicros = (processCpuNanos() - cpu0) / 1e3;
        double serverCpuMicros = serverCpuNanos == null ? 0 : (serverCpuNanos.getAsLong() - serverCpu0) / 1e3;
        double idleTail = Reads.takeIdleTail();
        Log.info("%s %s %d: %-44s %,12.0f /s, client CPU %.3f us/unit, server CPU %.3f us/unit, idle tail %.1f%%",
            caseName, measured ? "run" : "warm-up", measured ? round - warmups + 1 : round + 1, name, rate,
            cpuMicros / units, serverCpuMicros / units, 100 * idleTail);
        if (measured) {
          rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
          cpuMicrosPerUnit.computeIfAbsent(name, k -> new ArrayList<>()).add(cpuMicros / units);
          serverCpuMicrosPerUnit.computeIfAbsent(name, k -> new ArrayList<>()).add(serverCpuMicros / units);
        }
      }
    }
    return this;
  }

  /**
   * The order of one round: the blocks rotated by half the round number, and the whole order
   * reversed every other round (the blocks' order and the order within each block), so that each
   * variant runs before and after each other one about equally often, a drift within a round does
   * not always favour the same side, and a block's variants always run back to back.
   */
  static List<String> order(List<List<String>> blocks, int round) {
    List<List<String>> rotated = new ArrayList<>(blocks);
    Collections.rotate(rotated, round / 2);
    List<String> order = new ArrayList<>();
    for (List<String> block : rotated) {
      order.addAll(block);
    }
    if (round % 2 == 1) {
      Collections.reverse(order);
    }
    return order;
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

  /**
   * The median over the measured rounds of this JVM's CPU time per unit, in microseconds: a busy
   * machine distorts it far less than a rate. Meaningful only for a variant whose rate covers its
   * whole run (a read timed from start to end), since the units are the rate times the run's wall time.
   */
  double cpuMicrosPerUnit(String name) {
    return medianOf(cpuMicrosPerUnit, name);
  }

  /** The same for the server given to {@link #serverCpu}: 0 when none was given. */
  double serverCpuMicrosPerUnit(String name) {
    return medianOf(serverCpuMicrosPerUnit, name);
  }

  private static double medianOf(Map<String, List<Double>> perVariant, String name) {
    List<Double> values = perVariant.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no measured runs of " + name);
    }
    return Stats.median(values);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The spread of a variant's measured rates: lowest and highest, for the table. */
  String spread(String name) {
    List<Double> values = rates.get(name);
    return String.format(Locale.ROOT, "%,.0f to %,.0f", Collections.min(values), Collections.max(values));
  }
}
