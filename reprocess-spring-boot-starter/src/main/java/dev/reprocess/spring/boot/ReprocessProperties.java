package dev.reprocess.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code reprocess.*} properties: jobs declared in configuration, defaults shared by those
 * jobs, the Cassandra checkpoint store and the shutdown wait.
 *
 * <p>A job under {@code reprocess.jobs.<name>.*} has the keys of {@link JobProperties}; the job's
 * name keys its checkpoints, logs and metrics and must match {@link
 * dev.reprocess.ReprocessJob#NAME_PATTERN}. Keys a job leaves unset take {@code
 * reprocess.job-defaults.*}, then the builder's defaults.
 *
 * <p>A key under {@code reprocess.*} that is none of these (a misspelt one) fails the startup,
 * named by {@link ReprocessConfigurationFailureAnalyzer}; the options under a job's {@code
 * selector.*} are checked by the selector's provider when the job is built.
 */
@ConfigurationProperties(prefix = "reprocess", ignoreUnknownFields = false)
public class ReprocessProperties {

  /** Jobs by name; each takes the keys of reprocess.job-defaults (selector, handler, page-size, ...). */
  private Map<String, JobProperties> jobs = new LinkedHashMap<>();

  /** Values every job of reprocess.jobs takes for the keys it leaves unset; the keys of a job. */
  @NestedConfigurationProperty
  private JobProperties jobDefaults = new JobProperties();

  /** Checkpoints in Cassandra, used when the application has a CqlSession and no CheckpointStore bean. */
  private Cassandra cassandra = new Cassandra();

  /** How long the application's shutdown waits for running jobs once they are cancelled. */
  private Duration shutdownTimeout = Duration.ofSeconds(30);

  public Map<String, JobProperties> getJobs() {
    return jobs;
  }

  public void setJobs(Map<String, JobProperties> jobs) {
    this.jobs = jobs;
  }

  public JobProperties getJobDefaults() {
    return jobDefaults;
  }

  public void setJobDefaults(JobProperties jobDefaults) {
    this.jobDefaults = jobDefaults;
  }

  public Cassandra getCassandra() {
    return cassandra;
  }

  public void setCassandra(Cassandra cassandra) {
    this.cassandra = cassandra;
  }

  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  /** The {@code reprocess.cassandra.*} properties. */
  public static class Cassandra {

    /**
     * The checkpoint table, keyspace.table, or a bare table name in the session's keyspace.
     */
    private String checkpointTable = "reprocess_checkpoints";

    /** Whether to create the checkpoint table at startup if it does not exist (in an existing keyspace). */
    private boolean createCheckpointTable = false;

    public String getCheckpointTable() {
      return checkpointTable;
    }

    public void setCheckpointTable(String checkpointTable) {
      this.checkpointTable = checkpointTable;
    }

    public boolean isCreateCheckpointTable() {
      return createCheckpointTable;
    }

    public void setCreateCheckpointTable(boolean createCheckpointTable) {
      this.createCheckpointTable = createCheckpointTable;
    }
  }
}
