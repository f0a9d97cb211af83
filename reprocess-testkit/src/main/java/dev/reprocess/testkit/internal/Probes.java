package dev.reprocess.testkit.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Readiness checks speaking each server's own protocol, with no client library. */
public final class Probes {

    private static final int TIMEOUT_MILLIS = 2000;

    private Probes() {
    }

    /** CQL native protocol v4: an OPTIONS frame must be answered with a SUPPORTED frame. */
    public static boolean cqlSupported(String host, int port) throws IOException {
        try (Socket socket = connect(host, port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(0x04);  // version 4, request
            out.writeByte(0);     // flags
            out.writeShort(1);    // stream id
            out.writeByte(0x05);  // OPTIONS
            out.writeInt(0);      // body length
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int version = in.readUnsignedByte();
            in.readUnsignedByte(); // flags
            in.readShort();        // stream id
            int opcode = in.readUnsignedByte();
            return (version & 0x80) != 0 && opcode == 0x06; // response, SUPPORTED
        }
    }

    /**
     * Kafka: an ApiVersions (key 18) v0 request must be answered with error code 0. The broker only accepts
     * client connections once its startup has finished.
     */
    public static boolean kafkaApiVersions(String host, int port) throws IOException {
        try (Socket socket = connect(host, port)) {
            byte[] clientId = "reprocess-testkit".getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            int correlationId = 7;
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18);          // api key ApiVersions
            out.writeShort(0);           // api version 0
            out.writeInt(correlationId);
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            int gotCorrelation = in.readInt();
            short error = in.readShort();
            return size > 6 && gotCorrelation == correlationId && error == 0;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Elasticsearch: cluster health is yellow or green ({@code GET /} answers 405 in the integ-test build). */
    public static boolean elasticsearchHealthy(String baseUrl) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl
                        + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body().replace(" ", "");
        return response.statusCode() == 200
                && (body.contains("\"status\":\"yellow\"") || body.contains("\"status\":\"green\""));
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
