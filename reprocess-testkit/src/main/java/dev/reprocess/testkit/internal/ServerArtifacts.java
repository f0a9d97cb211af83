package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Gets the server artifacts at run time, without putting them on anyone's classpath: a tiny generated pom is resolved
 * once by a child {@code mvn dependency:build-classpath} (so the user's settings.xml, mirrors and local repository
 * apply), and the resulting list of jar paths is cached in a file. Later starts read the file and only check that
 * the jars still exist, which takes milliseconds.
 *
 * <p>Cache folder: {@code REPROCESS_TESTKIT_CACHE}, else {@code $XDG_CACHE_HOME/reprocess-testkit}, else
 * {@code ~/.cache/reprocess-testkit}. Concurrent JVMs serialize on a file lock per artifact set.
 */
public final class ServerArtifacts {

    /** A Maven coordinate of a dependency to resolve. */
    public record Coordinate(String groupId, String artifactId, String version, String type) {
        public static Coordinate jar(String groupId, String artifactId, String version) {
            return new Coordinate(groupId, artifactId, version, "jar");
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version + ("jar".equals(type) ? "" : ":" + type);
        }
    }

    private static final Map<String, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Duration RESOLVE_TIMEOUT = Duration.ofMinutes(15);

    private final Path cacheDir;

    public ServerArtifacts(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    public static ServerArtifacts system() {
        return new ServerArtifacts(defaultCacheDir(System.getenv()));
    }

    public static Path defaultCacheDir(Map<String, String> env) {
        String explicit = env.get("REPROCESS_TESTKIT_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "reprocess-testkit").toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".cache", "reprocess-testkit");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The runtime classpath (the artifacts and all their runtime dependencies) of {@code coordinates}, as absolute
     * file paths, from the cache or resolved now.
     *
     * @param key names the cache entry, e.g. "cassandra-5.0.6"
     */
    public List<Path> resolve(String key, List<Coordinate> coordinates) {
        Path dir = cacheDir.resolve(key);
        Path classpathFile = dir.resolve("classpath.txt");
        return withLock(dir, () -> {
            List<Path> cached = readClasspath(classpathFile);
            if (cached != null) {
                return cached;
            }
            writePom(dir.resolve("pom.xml"), key, coordinates);
            runMaven(dir, coordinates);
            List<Path> resolved = readClasspath(classpathFile);
            if (resolved == null) {
                throw new BackendException(BackendException.Reason.ARTIFACTS, "Maven resolved " + coordinates
                        + " but " + classpathFile + " lists missing files; delete " + dir + " and retry");
            }
            return resolved;
        });
    }

    /**
     * Unpacks a zip artifact into {@code targetParent/<top folder of the zip>} once, keeping it for later runs.
     * Files in {@code bin/} folders become executable; folders are 755 and files 644 so another user can read them.
     */
    public Path unpackOnce(Path zip, Path targetParent, String topFolder) {
        Path target = targetParent.resolve(topFolder);
        Path marker = target.resolve(".reprocess-unpacked");
        return withLock(targetParent.resolve("." + topFolder + ".lock.d"), () -> {
            if (Files.isRegularFile(marker)) {
                return target;
            }
            Path tmp = targetParent.resolve("." + topFolder + ".tmp-" + ProcessHandle.current().pid());
            try {
                deleteRecursively(tmp);
                deleteRecursively(target);
                Files.createDirectories(tmp);
                setMode(targetParent, "rwxr-xr-x");
                setMode(tmp, "rwxr-xr-x");
                unzip(zip, tmp);
                Path unpackedTop = tmp.resolve(topFolder);
                if (!Files.isDirectory(unpackedTop)) {
                    throw new BackendException(BackendException.Reason.ARTIFACTS, zip + " has no top folder "
                            + topFolder);
                }
                Files.writeString(unpackedTop.resolve(".reprocess-unpacked"), zip.toString());
                move(unpackedTop, target);
                deleteRecursively(tmp);
                return target;
            } catch (IOException e) {
                throw new BackendException(BackendException.Reason.ARTIFACTS, "could not unpack " + zip + " into "
                        + target + ": " + e, e);
            }
        });
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void unzip(Path zip, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException("zip entry escapes the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    setMode(out, "rwxr-xr-x");
                    continue;
                }
                Files.createDirectories(out.getParent());
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                boolean executable = out.getParent().getFileName() != null
                        && "bin".equals(out.getParent().getFileName().toString())
                        && !out.getFileName().toString().endsWith(".bat")
                        && !out.getFileName().toString().endsWith(".exe");
                setMode(out, executable ? "rwxr-xr-x" : "rw-r--r--");
            }
        }
    }

    static void setMode(Path path, String mode) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        }
    }

    static List<Path> readClasspath(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                return null;
            }
            List<Path> paths = new ArrayList<>();
            for (String entry : text.split(File.pathSeparator)) {
                Path path = Path.of(entry.trim());
                if (!Files.isRegularFile(path)) {
                    return null;
                }
                paths.add(path);
            }
            return List.copyOf(paths);
        } catch (IOException e) {
            return null;
        }
    }

    static String pom(String key, List<Coordinate> coordinates) {
        StringBuilder deps = new StringBuilder();
        for (Coordinate c : coordinates) {
            deps.append("    <dependency><groupId>").append(c.groupId()).append("</groupId><artifactId>")
                    .append(c.artifactId()).append("</artifactId><version>").append(c.version())
                    .append("</version><type>").append(c.type()).append("</type></dependency>\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!-- Generated by reprocess-testkit to resolve a server's runtime classpath; safe to delete. -->\n"
                + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "  <modelVersion>4.0.0</modelVersion>\n"
                + "  <groupId>dev.reprocess.testkit.servers</groupId>\n"
                + "  <artifactId>" + key.replaceAll("[^A-Za-z0-9_.-]", "-") + "</artifactId>\n"
                + "  <version>1</version>\n"
                + "  <packaging>pom</packaging>\n"
                + "  <dependencies>\n" + deps + "  </dependencies>\n"
                + "</project>\n";
    }

    private static void writePom(Path pom, String key, List<Coordinate> coordinates) {
        try {
            Files.createDirectories(pom.getParent());
            Files.writeString(pom, pom(key, coordinates), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void runMaven(Path dir, List<Coordinate> coordinates) {
        List<String> command = new ArrayList<>();
        command.add(mavenExecutable());
        command.addAll(Arrays.asList("-B", "-q", "-f", dir.resolve("pom.xml").toString(),
                "org.apache.maven.plugins:maven-dependency-plugin:" + Versions.dependencyPlugin() + ":build-classpath",
                "-Dmdep.outputFile=" + dir.resolve("classpath.txt"), "-Dmdep.includeScope=runtime"));
        String repoLocal = System.getProperty("maven.repo.local");
        if (repoLocal != null && !repoLocal.isBlank()) {
            command.add("-Dmaven.repo.local=" + repoLocal);
        }
        Path log = dir.resolve("resolve.log");
        System.err.println("[reprocess-testkit] downloading " + coordinates + " with Maven (once; cached in " + dir
                + ")");
        ManagedProcess.runToCompletion("mvn", command, dir, log, RESOLVE_TIMEOUT, BackendException.Reason.ARTIFACTS,
                "Maven resolving " + coordinates);
    }

    /** {@code REPROCESS_MVN}, else {@code $MAVEN_HOME/bin/mvn}, {@code $M2_HOME/bin/mvn}, maven.home, else PATH. */
    static String mavenExecutable() {
        String explicit = System.getenv("REPROCESS_MVN");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        for (String home : new String[] {System.getenv("MAVEN_HOME"), System.getenv("M2_HOME"),
                System.getProperty("maven.home")}) {
            if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
                return Path.of(home, "bin", "mvn").toString();
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mvn"))) {
                    return Path.of(dir, "mvn").toString();
                }
            }
        }
        throw new BackendException(BackendException.Reason.ARTIFACTS, "Maven ('mvn') was not found on PATH,"
                + " MAVEN_HOME or M2_HOME; the testkit runs it once to download the server jars: install Maven 3.8+"
                + " or set REPROCESS_MVN to its launcher");
    }

    interface Action<T> {
        T run();
    }

    /** Runs {@code action} holding a JVM-wide monitor and an inter-process file lock on {@code dir/.lock}. */
    static <T> T withLock(Path dir, Action<T> action) {
        Object monitor = JVM_LOCKS.computeIfAbsent(dir.toAbsolutePath().toString(), k -> new Object());
        synchronized (monitor) {
            try {
                Files.createDirectories(dir);
                try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    FileLock lock = channel.lock();
                    try {
                        return action.run();
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new BackendException(BackendException.Reason.ARTIFACTS, "could not lock " + dir + ": " + e, e);
            }
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            List<Path> all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
