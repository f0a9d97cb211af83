package dev.reprocess.cassandra.internal;

import java.util.function.Supplier;

/**
 * A value computed on first use, once, by whichever thread comes first (the statements a selector
 * prepares, for example). A failure is not remembered: the next call tries again, so a transient
 * error while preparing does not stick. Thread-safe.
 */
public final class Lazy<T> {
  private final Supplier<T> supplier;
  private volatile T value;

  public Lazy(Supplier<T> supplier) {
    this.supplier = supplier;
  }

  /** The value, computing it if this is the first successful call. */
  public T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = supplier.get();
          value = v;
        }
      }
    }
    return v;
  }
}
