package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Working folders of server instances. Each running instance holds an exclusive lock on {@code <dir>/.lock}, so two
 * servers (in one JVM or several) never share a folder; a new start wipes what an earlier, finished run left there.
 */
public final class InstanceDirs {

    /** A locked instance folder; closing releases the lock. */
    public static final class Lease implements AutoCloseable {
        private final Path dir;
        private final FileChannel channel;
        private final FileLock lock;

        Lease(Path dir, FileChannel channel, FileLock lock) {
            this.dir = dir;
            this.channel = channel;
            this.lock = lock;
        }

        public Path dir() {
            return dir;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // the lock goes away with the channel anyway
            }
        }
    }

    private InstanceDirs() {
    }

    /**
     * The folder under which instances live: system property {@code reprocess.testkit.dir}, else the variable
     * {@code REPROCESS_TESTKIT_DIR}, else {@code target/reprocess-testkit} under the working directory.
     */
    public static Path defaultBase(Map<String, String> env) {
        String prop = System.getProperty("reprocess.testkit.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        String var = env.get("REPROCESS_TESTKIT_DIR");
        if (var != null && !var.isBlank()) {
            return Path.of(var).toAbsolutePath().normalize();
        }
        return Path.of("target", "reprocess-testkit").toAbsolutePath().normalize();
    }

    /** Locks the first free folder among {@code base/name-1}, {@code base/name-2}, ... and empties it. */
    public static Lease leaseUnder(Path base, String name) {
        for (int i = 1; i < 1000; i++) {
            Lease lease = tryLease(base.resolve(name + "-" + i));
            if (lease != null) {
                return wipe(lease);
            }
        }
        throw new BackendException(BackendException.Reason.OTHER, "no free instance folder for " + name + " under "
                + base);
    }

    /** Locks exactly {@code dir} and empties it; fails when another running server holds it. */
    public static Lease leaseExactly(Path dir) {
        return leaseExactly(dir, false);
    }

    /**
     * Locks exactly {@code dir}, emptying it unless {@code keepContent} (a server restarted on the data an earlier
     * run left there); fails when another running server holds it.
     */
    public static Lease leaseExactly(Path dir, boolean keepContent) {
        Lease lease = tryLease(dir);
        if (lease == null) {
            throw new BackendException(BackendException.Reason.OTHER, "folder " + dir
                    + " is used by another running server; choose another folder");
        }
        return keepContent ? lease : wipe(lease);
    }

    private static Lease tryLease(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            return new Lease(dir, channel, lock);
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.OTHER, "could not create or lock " + dir + ": " + e, e);
        }
    }

    private static Lease wipe(Lease lease) {
        try (Stream<Path> children = Files.list(lease.dir())) {
            List<Path> all = children.filter(p -> !p.getFileName().toString().equals(".lock")).toList();
            for (Path child : all) {
                ServerArtifacts.deleteRecursively(child);
            }
        } catch (IOException e) {
            lease.close();
            throw new BackendException(BackendException.Reason.OTHER, "could not empty " + lease.dir() + ": " + e, e);
        }
        return lease;
    }
}
