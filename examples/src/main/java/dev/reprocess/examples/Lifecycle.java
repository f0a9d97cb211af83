package dev.reprocess.examples;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clean-up in the right order, on a normal end and on Ctrl-C / SIGTERM alike: actions run last
 * registered first (cancel the job, then close clients, then stop the servers). One JVM shutdown
 * hook runs what is still registered when the JVM is asked to stop. Thread-safe.
 */
final class Lifecycle implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Deque<Runnable> actions = new ArrayDeque<>();
  private final Thread hook = new Thread(this::runAll, "asset-catalog-shutdown");
  private boolean hookInstalled;

  /** Runs {@code action} at the end (or on shutdown), before the actions registered earlier. */
  synchronized void onShutdown(Runnable action) {
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(hook);
      hookInstalled = true;
    }
    actions.push(action);
  }

  synchronized void remove(Runnable action) {
    actions.remove(action);
  }

  private void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = actions.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.warn("clean-up step failed: {}", e.toString());
      }
    }
  }

  /** Runs every action now and removes the shutdown hook. */
  @Override
  public void close() {
    runAll();
    synchronized (this) {
      if (hookInstalled) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs (or ran) the actions
        }
        hookInstalled = false;
      }
    }
  }
}
