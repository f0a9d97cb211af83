/**
 * Built-in {@link dev.reprocess.PressureSignal}s that need nothing beyond the core: a Micrometer
 * timer the host names ({@link dev.reprocess.pressure.TimerPressureSignal}), and a decorator that
 * holds any signal to a latency objective ({@link dev.reprocess.pressure.LatencyObjective}). The Cassandra driver's
 * request latency is in {@code reprocess-cassandra} ({@code DriverPressureSignal}).
 */
package dev.reprocess.pressure;
