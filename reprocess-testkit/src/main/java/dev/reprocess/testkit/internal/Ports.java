package dev.reprocess.testkit.internal;

import dev.reprocess.testkit.BackendException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Loopback port helpers. All servers listen on 127.0.0.1 only. */
public final class Ports {

    public static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /**
     * Picks {@code count} distinct free loopback ports by binding them all at once and releasing them. Another process
     * could take one before the server binds it; the server then fails with a clear "port in use" error.
     */
    public static int[] pickFree(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
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
