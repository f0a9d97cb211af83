package dev.reprocess.testkit;

/**
 * A backend server could not be found, started or reached. Unchecked; the message is one line that says what failed,
 * the numbers involved and what to do, and for a server that died it ends with the last lines of its log.
 */
public class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a start failed, for callers that react differently (for example retry on another port). */
    public enum Reason {
        /** No suitable Java runtime for the server. */
        JAVA_NOT_FOUND,
        /** A requested port is already taken. */
        PORT_IN_USE,
        /** The server process exited before it was ready. */
        EXITED,
        /** The server did not become ready within the timeout. */
        TIMEOUT,
        /** The server's artifacts could not be downloaded or unpacked. */
        ARTIFACTS,
        /** An external server named by configuration is not reachable or malformed. */
        EXTERNAL,
        /** Anything else: file system, user creation, interrupted start. */
        OTHER
    }

    private final Reason reason;

    public BackendException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BackendException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the operation failed. */
    public Reason reason() {
        return reason;
    }
}
