package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port helpers. All servers listen on 127.0.0.1 only. */
public final class Ports {

    public static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** Lowest port picked outside the ephemeral range: below are the usual ports of development services. */
    static final int LOWEST_PICKED = 10_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /**
     * Picks {@code count} distinct free loopback ports by binding them all at once and releasing them. The ports come
     * from outside the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}; ports from
     * {@value #LOWEST_PICKED} up to its start, else above its end) when it can be read: a port of that range can be
     * handed to any outgoing connection (a test's client, another server starting) between the pick and the server's
     * bind, while a port outside it can only be taken by another listener. Where the range cannot be read, the kernel
     * picks. Another process could still take a port before the server binds it; the server then fails with a clear
     * "port in use" error.
     */
    public static int[] pickFree(int count) {
        return pickFree(count, ephemeralRange(), ThreadLocalRandom.current());
    }

    static int[] pickFree(int count, int[] ephemeral, Random random) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            int[] band = band(ephemeral);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = null;
                if (band != null) {
                    // From a random place in the band, the next port that binds (the whole band at most).
                    int size = band[1] - band[0] + 1;
                    int start = random.nextInt(size);
                    for (int k = 0; k < size && socket == null; k++) {
                        socket = tryBind(band[0] + (start + k) % size);
                    }
                }
                if (socket == null) {
                    socket = tryBind(0);
                }
                if (socket == null) {
                    throw new IOException("no port could be bound");
                }
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.OTHER, "could not find a free port on " + HOST + ": " + e, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /**
     * The ports a server listens on: each requested one (non-zero) as it is, each zero one picked free; then every
     * one checked free. A picked port found taken by then (another process bound it in between) is picked again,
     * up to 5 times; a requested port found taken fails at once.
     *
     * @param requested the configured ports, 0 for "pick one"
     * @param purposes what each port is for, for the error message, e.g. "kafka broker port"
     * @throws BackendException with reason {@code PORT_IN_USE} naming the port and its purpose
     */
    public static int[] choose(int[] requested, String... purposes) {
        for (int attempt = 1; ; attempt++) {
            int[] free = pickFree(requested.length);
            int[] ports = new int[requested.length];
            BackendException taken = null;
            boolean pickedTaken = false;
            for (int i = 0; i < requested.length; i++) {
                ports[i] = requested[i] != 0 ? requested[i] : free[i];
                try {
                    requireFree(ports[i], purposes[i]);
                } catch (BackendException e) {
                    if (requested[i] != 0) {
                        throw e;
                    }
                    taken = e;
                    pickedTaken = true;
                }
            }
            if (!pickedTaken) {
                return ports;
            }
            if (attempt == 5) {
                throw taken;
            }
        }
    }

    /** The ports to pick from given the ephemeral range {@code [low, high]}, or null to let the kernel pick. */
    static int[] band(int[] ephemeral) {
        if (ephemeral == null) {
            return null;
        }
        if (ephemeral[0] - 1 - LOWEST_PICKED >= 1_000) {
            return new int[] {LOWEST_PICKED, ephemeral[0] - 1};
        }
        if (65_535 - (ephemeral[1] + 1) >= 1_000) {
            return new int[] {ephemeral[1] + 1, 65_535};
        }
        return null;
    }

    /** The kernel's ephemeral port range {@code [low, high]}, or null where it cannot be read (not Linux). */
    static int[] ephemeralRange() {
        try {
            // readAllLines, not readString: procfs reports a size of 0, and readString then reads a single byte.
            String[] parts = String.join(" ", Files.readAllLines(EPHEMERAL_RANGE)).trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ServerSocket tryBind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return socket;
        } catch (IOException e) {
            socket.close();
            if (port == 0) {
                throw e;
            }
            return null;
        }
    }

    /** True when nothing listens on {@code port} and it can be bound on 127.0.0.1. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fails when {@code port} is taken.
     *
     * @param what what the port is for, e.g. "cassandra native transport port"
     */
    public static void requireFree(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 1 and 65535, was " + port);
        }
        if (!isFree(port)) {
            throw new BackendException(BackendException.Reason.PORT_IN_USE, "port " + port + " on " + HOST
                    + " is already in use (" + what + "); stop what uses it, choose another port, or leave the port"
                    + " unset to pick a free one");
        }
    }

    /** Waits until {@code port} can be bound again, for a restart on the same port. */
    public static boolean awaitFree(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isFree(port)) {
                return true;
            }
            Sleeper.sleep(Duration.ofMillis(100));
        }
        return isFree(port);
    }

    /** True when a TCP connection to host:port succeeds within {@code timeout}. */
    public static boolean canConnect(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
