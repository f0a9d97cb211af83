package dev.reprocess.testkit.internal;

import java.time.Duration;

/**
 * The checks every server builder applies to its options, in one place so that the three servers accept and refuse
 * the same values with the same messages. Each throws {@link IllegalArgumentException} naming the option, the value
 * and the rule.
 */
public final class BuilderChecks {

    private BuilderChecks() {
    }

    /** A TCP port: 0 (pick a free one) or 1..65535. */
    public static int port(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " must be 0 (any free port) or 1..65535, was " + port);
        }
        return port;
    }

    /** A JVM heap size as {@code -Xmx} takes it: digits and one of k, m, g. */
    public static String heap(String option, String heap) {
        if (heap == null || !heap.matches("\\d+[kKmMgG]")) {
            throw new IllegalArgumentException(option + " must look like 512m or 1g, was " + heap);
        }
        return heap;
    }

    /** A positive duration. */
    public static Duration positive(String option, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, was " + timeout);
        }
        return timeout;
    }

    /** A Unix user name: lower case letter or underscore, then up to 30 of letters, digits, underscore, dash. */
    public static String userName(String option, String user) {
        if (user == null || !user.matches("[a-z_][a-z0-9_-]{0,30}")) {
            throw new IllegalArgumentException(option + " must be a valid Unix user name, was " + user);
        }
        return user;
    }
}
