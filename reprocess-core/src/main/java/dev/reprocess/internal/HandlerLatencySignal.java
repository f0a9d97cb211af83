package dev.reprocess.internal;

import dev.reprocess.PressureSignal;

/**
 * The default {@link PressureSignal}: the engine samples each attempt's latency itself (see {@link
 * Pressure}), so subscribing does nothing. A singleton, so the engine can tell it apart.
 */
public final class HandlerLatencySignal implements PressureSignal {

  /** The only instance. */
  public static final HandlerLatencySignal INSTANCE = new HandlerLatencySignal();

  private HandlerLatencySignal() {}

  @Override
  public Subscription subscribe(Listener listener) {
    return () -> { };
  }

  @Override
  public String describe() {
    return "handler latency";
  }

  @Override
  public String toString() {
    return describe();
  }
}
