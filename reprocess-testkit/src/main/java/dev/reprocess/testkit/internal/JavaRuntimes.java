package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a Java runtime for a server: an explicit variable first, then the running JVM, {@code JAVA_HOME}, and the usual
 * install folders. Pure apart from reading {@code release} files, so tests pass their own environment and folders.
 */
public final class JavaRuntimes {

    /** Folders scanned for JDKs, each child being a Java home. */
    public static final List<Path> DEFAULT_SCAN_DIRS = List.of(
            Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"), Path.of("/opt/jdk"),
            Path.of("/Library/Java/JavaVirtualMachines"),
            Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"),
            Path.of(System.getProperty("user.home"), ".jdks"));

    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"?([^\"\\s]+)\"?", Pattern.MULTILINE);

    /** A Java installation and its feature version (17, 21, ...). */
    public record JavaHome(Path home, int feature) {
        public Path java() {
            return home.resolve("bin").resolve("java");
        }
    }

    /** What a server needs: which versions it accepts and which variables may name a JDK. */
    public record Requirement(String server, String rule, IntPredicate accepts, List<String> variables,
                              boolean preferNewest) {
    }

    private final Map<String, String> env;
    private final Path currentJavaHome;
    private final List<Path> scanDirs;

    public JavaRuntimes(Map<String, String> env, Path currentJavaHome, List<Path> scanDirs) {
        this.env = env;
        this.currentJavaHome = currentJavaHome;
        this.scanDirs = scanDirs;
    }

    public static JavaRuntimes system() {
        return new JavaRuntimes(System.getenv(), Path.of(System.getProperty("java.home")), DEFAULT_SCAN_DIRS);
    }

    /** Cassandra 5.0 runs on Java 11 or 17 only (the README says why). */
    public static Requirement cassandra(String version) {
        return new Requirement("Cassandra " + version, "Java 11 or 17", v -> v == 11 || v == 17,
                List.of("REPROCESS_CASSANDRA_JAVA_HOME"), true);
    }

    public static Requirement kafka(String version) {
        return new Requirement("Kafka " + version, "Java 17 or newer", v -> v >= 17,
                List.of("REPROCESS_KAFKA_JAVA_HOME"), false);
    }

    public static Requirement elasticsearch(String version) {
        return new Requirement("Elasticsearch " + version, "Java 21 or newer", v -> v >= 21,
                List.of("REPROCESS_ES_JAVA_HOME", "ES_JAVA_HOME"), true);
    }

    /**
     * Finds a runtime for {@code requirement}.
     *
     * @param explicit a home set on the server's builder, or null
     * @throws BackendException (JAVA_NOT_FOUND) naming the variable to set
     */
    public JavaHome find(Requirement requirement, Path explicit) {
        if (explicit != null) {
            return check(requirement, "javaHome(" + explicit + ")", explicit);
        }
        for (String variable : requirement.variables()) {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                return check(requirement, variable + "=" + value, Path.of(value));
            }
        }
        Set<Path> candidates = new LinkedHashSet<>();
        candidates.add(currentJavaHome);
        String javaHomeVar = env.get("JAVA_HOME");
        if (javaHomeVar != null && !javaHomeVar.isBlank()) {
            candidates.add(Path.of(javaHomeVar));
        }
        List<JavaHome> found = new ArrayList<>();
        for (Path candidate : candidates) {
            featureVersion(candidate).ifPresent(v -> found.add(new JavaHome(candidate, v)));
        }
        List<JavaHome> scanned = new ArrayList<>();
        for (Path dir : scanDirs) {
            for (Path child : children(dir)) {
                Path home = Files.isDirectory(child.resolve("Contents/Home")) ? child.resolve("Contents/Home") : child;
                featureVersion(home).ifPresent(v -> scanned.add(new JavaHome(home, v)));
            }
        }
        scanned.sort(Comparator.comparingInt(JavaHome::feature).reversed().thenComparing(j -> j.home().toString()));
        found.addAll(scanned);
        List<JavaHome> accepted = found.stream()
                .filter(j -> requirement.accepts().test(j.feature()) && Files.isExecutable(j.java()))
                .toList();
        if (accepted.isEmpty()) {
            throw new BackendException(BackendException.Reason.JAVA_NOT_FOUND, requirement.server() + " needs "
                    + requirement.rule() + " and none was found (looked at the running JVM, JAVA_HOME"
                    + (scanDirs.isEmpty() ? "" : " and " + scanDirs.get(0) + "/*") + "); install one and set " + requirement.variables().get(0) + " to its home");
        }
        if (requirement.preferNewest()) {
            // Among accepted ones, the newest feature version wins (Cassandra: 17 over 11; Elasticsearch: 25 over 21).
            return accepted.stream().max(Comparator.comparingInt(JavaHome::feature)).orElseThrow();
        }
        return accepted.get(0);
    }

    private JavaHome check(Requirement requirement, String source, Path home) {
        OptionalInt version = featureVersion(home);
        if (version.isEmpty()) {
            throw new BackendException(BackendException.Reason.JAVA_NOT_FOUND, source + " is not a Java home (no "
                    + home.resolve("release") + "); " + requirement.server() + " needs " + requirement.rule());
        }
        if (!requirement.accepts().test(version.getAsInt())) {
            throw new BackendException(BackendException.Reason.JAVA_NOT_FOUND, source + " is Java "
                    + version.getAsInt() + " but " + requirement.server() + " needs " + requirement.rule()
                    + "; point " + requirement.variables().get(0) + " at a suitable JDK");
        }
        return new JavaHome(home, version.getAsInt());
    }

    /** The feature version of the JDK or JRE at {@code home}, read from its {@code release} file. */
    public static OptionalInt featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            if (!m.find()) {
                return OptionalInt.empty();
            }
            return parseFeature(m.group(1));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** "17.0.15" gives 17, "1.8.0_402" gives 8, "25" gives 25. */
    public static OptionalInt parseFeature(String version) {
        String[] parts = version.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            if (first == 1 && parts.length > 1) {
                return OptionalInt.of(Integer.parseInt(parts[1]));
            }
            return OptionalInt.of(first);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                if (Files.isDirectory(child)) {
                    result.add(child);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        result.sort(Comparator.naturalOrder());
        return result;
    }
}
