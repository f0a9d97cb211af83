package dev.reprocess.spring.boot;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.CheckpointStore;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A {@link CassandraCheckpointStore} on the application's {@link CqlSession} (Spring Boot's, or
 * the application's own bean), when reprocess-cassandra and the driver are on the class path and
 * the application has no {@link CheckpointStore} bean. The table is {@code
 * reprocess.cassandra.checkpoint-table} (default {@code reprocess_checkpoints} in the session's
 * keyspace), created at startup if {@code reprocess.cassandra.create-checkpoint-table} is true;
 * the store checks the table against the schema when it is created, so a missing table fails
 * the application's startup with the table's name.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.cassandra.CassandraAutoConfiguration",
    "org.springframework.boot.cassandra.autoconfigure.CassandraAutoConfiguration"})
@ConditionalOnClass({CqlSession.class, CassandraCheckpointStore.class})
@EnableConfigurationProperties(ReprocessProperties.class)
public class ReprocessCassandraAutoConfiguration {

  /** The checkpoint store of every properties job that names none. */
  @Bean
  @ConditionalOnBean(CqlSession.class)
  @ConditionalOnMissingBean(CheckpointStore.class)
  public CassandraCheckpointStore reprocessCheckpointStore(CqlSession session, ReprocessProperties properties) {
    return CassandraCheckpointStore.builder(session)
        .table(properties.getCassandra().getCheckpointTable())
        .createTable(properties.getCassandra().isCreateCheckpointTable())
        .build();
  }
}
