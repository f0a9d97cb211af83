package dev.reprocess.testkit;

import java.net.InetSocketAddress;

/** A reachable Cassandra node, started by the testkit or named by {@code REPROCESS_CASSANDRA}. Thread-safe. */
public interface CassandraBackend {

    /** The CQL native transport address, e.g. 127.0.0.1:40123, for {@code CqlSession.builder().addContactPoint}. */
    InetSocketAddress contactPoint();

    /** The node's datacenter for the driver's load balancing: {@code "datacenter1"} for a testkit node. */
    String localDatacenter();
}
