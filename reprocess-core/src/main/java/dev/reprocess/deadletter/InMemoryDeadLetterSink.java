package dev.reprocess.deadletter;

import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps dead letters in a list in memory, for tests and small jobs. Thread-safe. Memory grows with
 * the number of dead letters: prefer {@link FileDeadLetterSink} or a Kafka dead-letter topic for
 * large jobs.
 */
public final class InMemoryDeadLetterSink implements DeadLetterSink {

  private final List<DeadLetter> deadLetters = new ArrayList<>();

  @Override
  public synchronized void accept(DeadLetter deadLetter) {
    deadLetters.add(Objects.requireNonNull(deadLetter, "deadLetter"));
  }

  /** A snapshot of the dead letters received so far, in arrival order. */
  public synchronized List<DeadLetter> deadLetters() {
    return List.copyOf(deadLetters);
  }

  /** Forgets every dead letter kept so far. */
  public synchronized void clear() {
    deadLetters.clear();
  }

  @Override
  public String describe() {
    return "in memory";
  }
}
