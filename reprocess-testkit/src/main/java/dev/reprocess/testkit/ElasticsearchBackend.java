package dev.reprocess.testkit;

/** A reachable Elasticsearch node, started by the testkit or named by {@code REPROCESS_ELASTICSEARCH}. Thread-safe. */
public interface ElasticsearchBackend {

    /** Base URL without a trailing slash, e.g. {@code "http://127.0.0.1:40127"}. */
    String url();

    /** Host of {@link #url()}. */
    String host();

    /** HTTP port of {@link #url()}. */
    int port();
}
