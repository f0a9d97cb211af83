package dev.reprocess.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One job under {@code reprocess.jobs.<name>.*} (or the defaults under {@code
 * reprocess.job-defaults.*}). Unset keys take the defaults, then the {@link
 * dev.reprocess.ReprocessJob.Builder}'s. The keys are those of {@link
 * dev.reprocess.config.JobConfiguration}, plus {@code run-on-startup}, {@code kafka-topic} and
 * {@code dead-letters.kafka-topic}, which need the application context.
 */
public class JobProperties {

  /**
   * The selection: kind (cassandra-time-bucket, cassandra-token-range, id-list, elasticsearch, or another
   * provider's kind) and that kind's options (e.g. table, asset-types as a comma-separated list,
   * from, to, bucketing); or bean, the name of an AssetSelector bean.
   */
  private Map<String, String> selector = new LinkedHashMap<>();

  /** The name of the EventHandler bean that handles each event; exactly one of handler, sink and kafka-topic. */
  private String handler;

  /** The name of an EventSink bean events go to. */
  private String sink;

  /** The Kafka topic events go to, through a KafkaEventSink connected with spring.kafka.* (needs reprocess-kafka). */
  private String kafkaTopic;

  /** Assets per page (1 to 100000; default 500). */
  private Integer pageSize;

  /** Shards read at once (1 to 1024; default 4). */
  private Integer shardsInParallel;

  /** Shards the selector may list in total (1 to 10000000; default 100000); a run with more fails before anything is written. */
  private Integer maxShards;

  /** Events in flight at most (1 to 10000; default 16 with a handler, the sink's default with a sink). */
  private Integer concurrency;

  /** Attempts per second at most, retries included; 0 for no limit (the default). */
  private Double maxEventsPerSecond;

  /** Whether the limit on events in flight follows event latency, up to concurrency (default false). */
  private Boolean adaptiveConcurrency;

  /** The adaptive limit's algorithm: gradient2 (default), vegas or aimd; only with adaptive-concurrency. */
  private String limitAlgorithm;

  /** The lowest the adaptive limit goes (default 1, at most concurrency); only with adaptive-concurrency. */
  private Integer minConcurrency;

  /** Whether the adaptive limit also scales max-events-per-second (default false). */
  private Boolean adaptiveRate;

  /** The name of a PressureSignal bean the adaptive limit learns from; default the handler's latency. */
  private String pressureSignal;

  /** Whether the job fails at the first event that fails after its retries (default false). */
  private Boolean failFast;

  /** Whether the job's checkpoints are deleted before each run, so every shard starts over (default false). */
  private Boolean restart;

  /** Time limit of one handler call (default 60s, at most 24h). */
  private Duration handlerTimeout;

  /**
   * The error budget, as in DSBulk: a count of dead letters (e.g. 100) or a percentage of the events
   * processed so far (e.g. 5%) past which the job fails (default no limit).
   */
  private String maxErrors;

  /**
   * Dead letters in a row for the same reason, before any event of the run succeeded, that stop the
   * job (default 100; 0 turns it off).
   */
  private Long stopAfterSameFailures;

  /** How long work waits for an unavailable backend before the job fails (default 5m, at most 24h); also the longest on-running-elsewhere=wait waits. */
  private Duration outageBudget;

  /** The least time between two checkpoint writes of a shard (0 to 1h; default 1s; 0 after every page). */
  private Duration checkpointInterval;

  /** When another process holds the job's lease: fail, take-over-expired (the default) or wait. */
  private String onRunningElsewhere;

  /** How long the job's lease lasts unless its holder renews it (1s to 1h; default 30s). */
  private Duration leaseTimeToLive;

  /** Whether checkpoints stored under another selection are resumed instead of refused (default false). */
  private Boolean acceptChangedSelection;

  /** The name of a CheckpointStore bean; default the application's one CheckpointStore bean, else in memory. */
  private String checkpointStore;

  /** Whether the job starts when the application has started (default false: start it through the endpoint or the registry). */
  private Boolean runOnStartup;

  /** Retries of a failed event before it is dead-lettered. */
  private Retry retry = new Retry();

  /** Where events go after their retries; default a log at WARN. */
  private DeadLetters deadLetters = new DeadLetters();

  public Map<String, String> getSelector() {
    return selector;
  }

  public void setSelector(Map<String, String> selector) {
    this.selector = selector;
  }

  public String getHandler() {
    return handler;
  }

  public void setHandler(String handler) {
    this.handler = handler;
  }

  public String getSink() {
    return sink;
  }

  public void setSink(String sink) {
    this.sink = sink;
  }

  public String getKafkaTopic() {
    return kafkaTopic;
  }

  public void setKafkaTopic(String kafkaTopic) {
    this.kafkaTopic = kafkaTopic;
  }

  public Integer getPageSize() {
    return pageSize;
  }

  public void setPageSize(Integer pageSize) {
    this.pageSize = pageSize;
  }

  public Integer getShardsInParallel() {
    return shardsInParallel;
  }

  public void setShardsInParallel(Integer shardsInParallel) {
    this.shardsInParallel = shardsInParallel;
  }

  public Integer getMaxShards() {
    return maxShards;
  }

  public void setMaxShards(Integer maxShards) {
    this.maxShards = maxShards;
  }

  public Integer getConcurrency() {
    return concurrency;
  }

  public void setConcurrency(Integer concurrency) {
    this.concurrency = concurrency;
  }

  public Double getMaxEventsPerSecond() {
    return maxEventsPerSecond;
  }

  public void setMaxEventsPerSecond(Double maxEventsPerSecond) {
    this.maxEventsPerSecond = maxEventsPerSecond;
  }

  public Boolean getAdaptiveConcurrency() {
    return adaptiveConcurrency;
  }

  public void setAdaptiveConcurrency(Boolean adaptiveConcurrency) {
    this.adaptiveConcurrency = adaptiveConcurrency;
  }

  public Boolean getFailFast() {
    return failFast;
  }

  public void setFailFast(Boolean failFast) {
    this.failFast = failFast;
  }

  public Boolean getRestart() {
    return restart;
  }

  public void setRestart(Boolean restart) {
    this.restart = restart;
  }

  public Duration getHandlerTimeout() {
    return handlerTimeout;
  }

  public void setHandlerTimeout(Duration handlerTimeout) {
    this.handlerTimeout = handlerTimeout;
  }

  public String getMaxErrors() {
    return maxErrors;
  }

  public void setMaxErrors(String maxErrors) {
    this.maxErrors = maxErrors;
  }

  public Long getStopAfterSameFailures() {
    return stopAfterSameFailures;
  }

  public void setStopAfterSameFailures(Long stopAfterSameFailures) {
    this.stopAfterSameFailures = stopAfterSameFailures;
  }

  public Duration getOutageBudget() {
    return outageBudget;
  }

  public void setOutageBudget(Duration outageBudget) {
    this.outageBudget = outageBudget;
  }

  public Duration getCheckpointInterval() {
    return checkpointInterval;
  }

  public void setCheckpointInterval(Duration checkpointInterval) {
    this.checkpointInterval = checkpointInterval;
  }

  public String getOnRunningElsewhere() {
    return onRunningElsewhere;
  }

  public void setOnRunningElsewhere(String onRunningElsewhere) {
    this.onRunningElsewhere = onRunningElsewhere;
  }

  public Duration getLeaseTimeToLive() {
    return leaseTimeToLive;
  }

  public void setLeaseTimeToLive(Duration leaseTimeToLive) {
    this.leaseTimeToLive = leaseTimeToLive;
  }

  public Boolean getAcceptChangedSelection() {
    return acceptChangedSelection;
  }

  public void setAcceptChangedSelection(Boolean acceptChangedSelection) {
    this.acceptChangedSelection = acceptChangedSelection;
  }

  public String getCheckpointStore() {
    return checkpointStore;
  }

  public void setCheckpointStore(String checkpointStore) {
    this.checkpointStore = checkpointStore;
  }

  public Boolean getRunOnStartup() {
    return runOnStartup;
  }

  public void setRunOnStartup(Boolean runOnStartup) {
    this.runOnStartup = runOnStartup;
  }

  public Retry getRetry() {
    return retry;
  }

  public void setRetry(Retry retry) {
    this.retry = retry;
  }

  public DeadLetters getDeadLetters() {
    return deadLetters;
  }

  public void setDeadLetters(DeadLetters deadLetters) {
    this.deadLetters = deadLetters;
  }

  /**
   * This job's keys as {@link dev.reprocess.config.JobConfiguration} reads them, those it leaves
   * unset taken from {@code defaults}; without the keys that need the context ({@code
   * run-on-startup}, {@code kafka-topic}, {@code dead-letters.kafka-topic}).
   */
  Map<String, String> toConfiguration(JobProperties defaults) {
    Map<String, String> map = new LinkedHashMap<>();
    defaults.putKeys(map);
    putKeys(map);
    return map;
  }

  /** Whether this job runs on startup, else the defaults' setting, else false. */
  public String getLimitAlgorithm() {
    return limitAlgorithm;
  }

  public void setLimitAlgorithm(String limitAlgorithm) {
    this.limitAlgorithm = limitAlgorithm;
  }

  public Integer getMinConcurrency() {
    return minConcurrency;
  }

  public void setMinConcurrency(Integer minConcurrency) {
    this.minConcurrency = minConcurrency;
  }

  public Boolean getAdaptiveRate() {
    return adaptiveRate;
  }

  public void setAdaptiveRate(Boolean adaptiveRate) {
    this.adaptiveRate = adaptiveRate;
  }

  public String getPressureSignal() {
    return pressureSignal;
  }

  public void setPressureSignal(String pressureSignal) {
    this.pressureSignal = pressureSignal;
  }

  boolean runsOnStartup(JobProperties defaults) {
    return Boolean.TRUE.equals(runOnStartup != null ? runOnStartup : defaults.runOnStartup);
  }

  private void putKeys(Map<String, String> map) {
    selector.forEach((key, value) -> map.put("selector." + key, value));
    put(map, "handler", handler);
    put(map, "sink", sink);
    put(map, "page-size", pageSize);
    put(map, "shards-in-parallel", shardsInParallel);
    put(map, "max-shards", maxShards);
    put(map, "concurrency", concurrency);
    put(map, "max-events-per-second", maxEventsPerSecond);
    put(map, "adaptive-concurrency", adaptiveConcurrency);
    put(map, "limit-algorithm", limitAlgorithm);
    put(map, "min-concurrency", minConcurrency);
    put(map, "pressure-signal", pressureSignal);
    put(map, "adaptive-rate", adaptiveRate);
    put(map, "fail-fast", failFast);
    put(map, "restart", restart);
    put(map, "handler-timeout", handlerTimeout);
    put(map, "max-errors", maxErrors);
    put(map, "stop-after-same-failures", stopAfterSameFailures);

    put(map, "outage-budget", outageBudget);
    put(map, "checkpoint-interval", checkpointInterval);
    put(map, "on-running-elsewhere", onRunningElsewhere);
    put(map, "lease-time-to-live", leaseTimeToLive);
    put(map, "accept-changed-selection", acceptChangedSelection);
    put(map, "checkpoint-store", checkpointStore);
    put(map, "retry.max-attempts", retry.maxAttempts);
    put(map, "retry.initial-backoff", retry.initialBackoff);
    put(map, "retry.multiplier", retry.multiplier);
    put(map, "retry.max-backoff", retry.maxBackoff);
    put(map, "retry.jitter", retry.jitter);
    put(map, "dead-letters.file", deadLetters.file);
    put(map, "dead-letters.bean", deadLetters.bean);
  }

  private static void put(Map<String, String> map, String key, Object value) {
    if (value != null) {
      map.put(key, value.toString());
    }
  }

  /** The {@code retry.*} keys: RetryOptions. */
  public static class Retry {

    /** Attempts per event, the first included (1 to 100; default 3). */
    private Integer maxAttempts;

    /** Wait after the first failed attempt (default 100ms). */
    private Duration initialBackoff;

    /** Growth of the wait per failed attempt (at least 1.0; default 2.0). */
    private Double multiplier;

    /** Cap on any wait (default 10s, at most 1 day). */
    private Duration maxBackoff;

    /** Randomization factor of the wait, in [0, 1) (default 0.5). */
    private Double jitter;

    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public Duration getInitialBackoff() {
      return initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
    }

    public Double getMultiplier() {
      return multiplier;
    }

    public void setMultiplier(Double multiplier) {
      this.multiplier = multiplier;
    }

    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }

    public Double getJitter() {
      return jitter;
    }

    public void setJitter(Double jitter) {
      this.jitter = jitter;
    }
  }

  /** The {@code dead-letters.*} keys: at most one of them; none logs dead letters at WARN. */
  public static class DeadLetters {

    /** A file dead letters are appended to, one JSON line each (FileDeadLetterSink). */
    private String file;

    /** The name of a DeadLetterSink bean. */
    private String bean;

    /** A Kafka topic for dead letters, connected with spring.kafka.* (needs reprocess-kafka). */
    private String kafkaTopic;

    public String getFile() {
      return file;
    }

    public void setFile(String file) {
      this.file = file;
    }

    public String getBean() {
      return bean;
    }

    public void setBean(String bean) {
      this.bean = bean;
    }

    public String getKafkaTopic() {
      return kafkaTopic;
    }

    public void setKafkaTopic(String kafkaTopic) {
      this.kafkaTopic = kafkaTopic;
    }
  }
}
