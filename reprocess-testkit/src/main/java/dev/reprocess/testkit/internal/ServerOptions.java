package dev.reprocess.testkit.internal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a server builder was given, frozen at {@code build()}: the options every server shares, its heap and its
 * ports (0 = pick a free one) in the order the server names them. Equality is not used (the ports are an array).
 *
 * @param directory exact instance folder, or null for a free one under {@code baseDirectory}
 * @param baseDirectory parent of instance folders, or null for {@link InstanceDirs#defaultBase}
 * @param keepData with {@code directory}: keep what an earlier run left there
 * @param javaHome the Java home to run the server with, or null to find one
 * @param heap the {@code -Xmx} value
 */
public record ServerOptions(Path directory, Path baseDirectory, boolean keepData, Duration startTimeout,
                            Path javaHome, String heap, int[] ports) {

    public ServerOptions {
        ports = ports.clone();
    }

    @Override
    public int[] ports() {
        return ports.clone();
    }

    /** True when the server restarts on what an earlier run left in its exact folder. */
    public boolean keepsData() {
        return keepData && directory != null;
    }

    /** Locks the instance folder these options name: exactly {@code directory}, else a free {@code name-N}. */
    InstanceDirs.Lease leaseFolder(String name) {
        if (directory != null) {
            return InstanceDirs.leaseExactly(directory.toAbsolutePath(), keepData);
        }
        Path base = baseDirectory != null ? baseDirectory.toAbsolutePath() : InstanceDirs.defaultBase(System.getenv());
        return InstanceDirs.leaseUnder(base, name);
    }
}
