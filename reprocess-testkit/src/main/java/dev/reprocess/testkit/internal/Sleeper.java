package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.time.Duration;

/** Polling pause that turns an interrupt into an unchecked failure and keeps the interrupt flag. */
final class Sleeper {

    private Sleeper() {
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Reason.OTHER, "interrupted while waiting", e);
        }
    }
}
