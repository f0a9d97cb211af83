/**
 * Real Cassandra, Kafka and Elasticsearch servers for tests and demos, started as child processes from Maven Central
 * artifacts, no Docker needed.
 *
 * <ul>
 *   <li>{@link dev.reprocess.testkit.TestBackends}: JUnit 5 extension giving tests one shared
 *       {@link dev.reprocess.testkit.CassandraBackend}, {@link dev.reprocess.testkit.KafkaBackend} and
 *       {@link dev.reprocess.testkit.ElasticsearchBackend} per JVM, or the servers named by {@code REPROCESS_*}.</li>
 *   <li>{@link dev.reprocess.testkit.CassandraServer}, {@link dev.reprocess.testkit.KafkaServer},
 *       {@link dev.reprocess.testkit.ElasticsearchServer}: the launchers, for dedicated servers or a main program.
 *       Their shared options and accessors are those of {@link dev.reprocess.testkit.ServerBuilder} and
 *       {@link dev.reprocess.testkit.LocalServer}.</li>
 *   <li>{@link dev.reprocess.testkit.StartBackends}: starts all three and keeps them running for sharing.</li>
 *   <li>{@link dev.reprocess.testkit.ChildJvm}: a test's own main class in a child JVM, to play a replica that
 *       is killed, frozen or restarted.</li>
 * </ul>
 *
 * <p>Failures are {@link dev.reprocess.testkit.BackendException}s whose first line says what went wrong.
 */
package dev.reprocess.testkit;
