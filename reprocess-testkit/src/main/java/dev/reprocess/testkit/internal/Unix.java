package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Unix users and permissions, for running a server as root (Cassandra without mlock) or as another user (ES). */
public final class Unix {

    /** A local account. */
    public record User(String name, int uid, int gid, String group) {
    }

    private Unix() {
    }

    /** True when this JVM runs with uid 0 (read from /proc/self/status, else the user.name property). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /** The first executable among {@code /usr/bin/name}, {@code /bin/name}, {@code /usr/sbin/name}, {@code /sbin/name}. */
    public static Optional<Path> tool(String name) {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Looks a user up with {@code id}. */
    public static Optional<User> lookup(String name) {
        Optional<String> uid = run(List.of("id", "-u", name));
        Optional<String> gid = run(List.of("id", "-g", name));
        Optional<String> group = run(List.of("id", "-gn", name));
        if (uid.isEmpty() || gid.isEmpty() || group.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new User(name, Integer.parseInt(uid.get()), Integer.parseInt(gid.get()), group.get()));
    }

    /** Returns the user, creating it as a system user without home or login shell when missing (needs root). */
    public static User ensureUser(String name, Path lockDir) {
        return ServerArtifacts.withLock(lockDir, () -> {
            Optional<User> existing = lookup(name);
            if (existing.isPresent()) {
                return existing.get();
            }
            Path useradd = tool("useradd").orElseThrow(() -> new BackendException(BackendException.Reason.OTHER,
                    "Elasticsearch refuses to run as root and 'useradd' is missing to create user '" + name
                            + "': run as a normal user, or create the user and set REPROCESS_ES_USER"));
            String shell = tool("nologin").map(Path::toString).orElse("/bin/false");
            List<String> command = List.of(useradd.toString(), "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", shell, name);
            Optional<String> out = run(command);
            return lookup(name).orElseThrow(() -> new BackendException(BackendException.Reason.OTHER,
                    "could not create user '" + name + "' for Elasticsearch with " + String.join(" ", command)
                            + (out.isEmpty() ? " (it failed)" : "")));
        });
    }

    /**
     * True when {@code user} can reach {@code path}: every existing folder from / down to it grants it search (x)
     * permission, through owner, group or others.
     */
    public static boolean canTraverse(User user, Path path) {
        Path current = path.toAbsolutePath().normalize();
        List<Path> chain = new ArrayList<>();
        for (Path p = current; p != null; p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path p : chain) {
            if (!Files.exists(p)) {
                break;
            }
            try {
                PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class);
                if (!attrs.isDirectory()) {
                    continue;
                }
                if (!grants(attrs, user, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }

    static boolean grants(PosixFileAttributes attrs, User user, PosixFilePermission owner, PosixFilePermission group,
                          PosixFilePermission others) {
        Set<PosixFilePermission> perms = attrs.permissions();
        if (attrs.owner().getName().equals(user.name())) {
            return perms.contains(owner);
        }
        if (attrs.group().getName().equals(user.group())) {
            return perms.contains(group);
        }
        return perms.contains(others);
    }

    /** {@code chown -R user:group dir}. */
    public static void chownRecursively(Path dir, User user) {
        try (var walk = Files.walk(dir)) {
            var lookup = dir.getFileSystem().getUserPrincipalLookupService();
            var owner = lookup.lookupPrincipalByName(user.name());
            var group = lookup.lookupPrincipalByGroupName(user.group());
            for (Path p : walk.toList()) {
                Files.setOwner(p, owner);
                Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).setGroup(group);
            }
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.OTHER, "could not give " + dir + " to user "
                    + user.name() + ": " + e, e);
        }
    }

    /** Runs a short command, returning its trimmed output when it exits 0 within 30 s. */
    static Optional<String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
