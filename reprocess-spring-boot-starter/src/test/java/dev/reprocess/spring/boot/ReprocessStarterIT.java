package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.CassandraSchema;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A small Boot web application against the testkit's Cassandra: Boot's own CqlSession from {@code
 * spring.cassandra.*}, the starter's checkpoint store on it, a job declared only in properties,
 * started and watched through the {@code reprocess} endpoint over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReprocessStarterIT {

  private static final List<String> TYPES = List.of("image/png", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-06-01T00:00:00Z");
  private static final int DAYS = 3;
  private static final int ASSETS = 3_000;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private CassandraBackend backend;
  private CqlSession setup;
  private String keyspace;
  private final Set<String> assetIds = new HashSet<>();

  @BeforeAll
  void load() {
    backend = TestBackends.cassandra();
    setup = CqlSession.builder().addContactPoint(backend.contactPoint())
        .withLocalDatacenter(backend.localDatacenter())
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .build())
        .build();
    keyspace = "starter_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    CassandraSchema.createReferenceSchema(setup, keyspace, 1, BucketType.TEXT);
    PreparedStatement insert = setup.prepare("INSERT INTO " + keyspace + "."
        + CassandraSchema.ASSETS_BY_TYPE_BUCKET + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    Random random = new Random(7);
    for (int i = 0; i < ASSETS; i++) {
      Instant createdAt = FROM.plusMillis((long) (random.nextDouble() * Duration.ofDays(DAYS).toMillis()));
      UUID id = Uuids.startOf(createdAt.toEpochMilli());
      id = new UUID(id.getMostSignificantBits(), random.nextLong()); // distinct ids at one millisecond
      assetIds.add(id.toString());
      setup.execute(insert.bind(TYPES.get(i % TYPES.size()),
          Bucketing.daily().valueFor(createdAt, BucketType.TEXT), id));
    }
  }

  @AfterAll
  void drop() {
    if (setup != null) {
      setup.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace));
      setup.close();
    }
  }

  /** The application: a handler bean; everything else is auto-configured. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    final Set<String> handled = ConcurrentHashMap.newKeySet();

    @Bean
    EventHandler markHandled() {
      return event -> {
        handled.add(event.assetId());
        return Outcome.SUCCEEDED;
      };
    }
  }

  @Test
  void runsAPropertiesJobThroughTheEndpointOverEveryAsset() throws Exception {
    String contactPoint = backend.contactPoint().getHostString() + ":" + backend.contactPoint().getPort();
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.SERVLET)
        .properties(
            "server.port=0",
            "spring.cassandra.contact-points=" + contactPoint,
            "spring.cassandra.local-datacenter=" + backend.localDatacenter(),
            "spring.cassandra.keyspace-name=" + keyspace,
            "spring.cassandra.request.timeout=20s",
            "spring.cassandra.connection.init-query-timeout=10s",
            "management.endpoints.web.exposure.include=reprocess,health",
            "management.endpoint.health.show-details=always",
            "reprocess.cassandra.create-checkpoint-table=true",
            "reprocess.jobs.sizes.selector.kind=cassandra-time-bucket",
            "reprocess.jobs.sizes.selector.table=" + keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET,
            "reprocess.jobs.sizes.selector.asset-types=" + String.join(",", TYPES),
            "reprocess.jobs.sizes.selector.from=" + FROM,
            "reprocess.jobs.sizes.selector.to=" + FROM.plus(Duration.ofDays(DAYS)),
            "reprocess.jobs.sizes.handler=markHandled",
            "reprocess.jobs.sizes.page-size=200",
            "reprocess.jobs.sizes.max-events-per-second=20000")
        .run()) {
      assertThat(app.getBean(ReprocessJobRegistry.class).job("sizes").orElseThrow().checkpointStore())
          .isInstanceOf(CassandraCheckpointStore.class);
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      URI job = URI.create("http://localhost:" + port + "/actuator/reprocess/sizes");

      assertThat(get(job).path("status").asText()).isEqualTo("NOT_STARTED");
      HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(job + "/start"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(started.statusCode()).as(started.body()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> get(job).path("status").asText().equals("COMPLETED"));
      JsonNode done = get(job);
      assertThat(done.path("succeeded").asLong()).isEqualTo(ASSETS);
      assertThat(done.path("shardsTotal").asInt()).isEqualTo(TYPES.size() * DAYS);
      assertThat(app.getBean(App.class).handled).isEqualTo(assetIds);

      JsonNode health = get(URI.create("http://localhost:" + port + "/actuator/health"));
      assertThat(health.path("components").path("reprocess").path("details").path("sizes").path("status").asText())
          .isEqualTo("COMPLETED");
      long checkpoints = setup.execute(SimpleStatement.newInstance("SELECT count(*) FROM " + keyspace
          + "." + CassandraCheckpointStore.DEFAULT_TABLE + " WHERE job_name = 'sizes'")).one().getLong(0);
      assertThat(checkpoints).isEqualTo(TYPES.size() * DAYS);

      HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(job + "-nosuch")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(json.readTree(unknown.body()).path("error").asText())
          .isEqualTo("no job named 'sizes-nosuch': the jobs are [sizes]");
      HttpResponse<String> paused = http.send(HttpRequest.newBuilder(URI.create(job + "/pause"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(paused.statusCode()).isEqualTo(409);
      assertThat(json.readTree(paused.body()).path("error").asText())
          .isEqualTo("job 'sizes' is COMPLETED: nothing to pause (start or restart it to run it again)");
      HttpResponse<String> rethrottled = http.send(HttpRequest.newBuilder(URI.create(job + "/max-events-per-second/50"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(rethrottled.statusCode()).as(rethrottled.body()).isEqualTo(409);
      assertThat(json.readTree(rethrottled.body()).path("error").asText())
          .isEqualTo("job 'sizes' is COMPLETED: nothing to rethrottle (start or restart it to run it again)");
    }
  }

  private JsonNode get(URI uri) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(uri + ": " + response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }
}
