package dev.reprocess.testkit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Stops every still-running {@link ManagedProcess} when the JVM exits, all in parallel. */
final class Reaper {

    static final Duration GRACE = Duration.ofSeconds(20);

    private static final Set<ManagedProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private Reaper() {
    }

    static void register(ManagedProcess process) {
        installHook();
        RUNNING.add(process);
    }

    static void unregister(ManagedProcess process) {
        RUNNING.remove(process);
    }

    private static synchronized void installHook() {
        if (hookInstalled) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::stopAll, "reprocess-testkit-reaper"));
        hookInstalled = true;
    }

    static void stopAll() {
        List<Thread> threads = new ArrayList<>();
        for (ManagedProcess process : List.copyOf(RUNNING)) {
            Thread t = new Thread(() -> process.stop(GRACE), "reprocess-testkit-stop-" + process.name());
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join(GRACE.plusSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
