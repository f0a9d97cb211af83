package dev.reprocess.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.sun.net.httpserver.HttpServer;
import dev.reprocess.Cursor;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wrong inputs against a real Elasticsearch get messages that name the real problem and the
 * endpoint: a closed index, a URL that is not Elasticsearch, a cursor from another index or shard.
 * Each job fails before its first event with nothing written, and a corrected run completes.
 */
class WrongInputMessagesIT {

  private static final int DOCS = 300;
  private static ElasticsearchClient client;
  private static AssetsIndex assets;
  private static AssetsIndex other;

  @BeforeAll
  static void load() throws Exception {
    client = AssetsIndex.client(TestBackends.elasticsearch().url());
    assets = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-wrong"), 2, DOCS);
    other = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-other"), 1, DOCS);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      for (AssetsIndex index : new AssetsIndex[] {assets, other}) {
        if (index != null) {
          AssetsIndex.deleteQuietly(client, index.name);
        }
      }
      AssetsIndex.close(client);
    }
  }

  private static JobReport run(String job, ElasticsearchSelector selector, RecordingHandler handler,
      InMemoryCheckpointStore store) {
    return ReprocessJob.builder(job).selector(selector).handler(handler).checkpointStore(store).build().run();
  }

  @Test
  void aClosedIndexIsReportedAsClosedThenReadOnceOpened() throws Exception {
    String name = AssetsIndex.uniqueName("reprocess-it-closed");
    AssetsIndex closed = AssetsIndex.create(client, name, 1, 20);
    try {
      client.indices().close(c -> c.index(name));
      RecordingHandler handler = new RecordingHandler();
      InMemoryCheckpointStore store = new InMemoryCheckpointStore();
      ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(name).build();

      JobReport report = run("es-closed", selector, handler, store);

      assertThat(report.status()).isEqualTo(JobStatus.FAILED);
      System.out.println("CLOSED: " + report.failure().orElseThrow().getMessage());
      assertThat(report.failure().orElseThrow()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("index '" + name + "' is closed");
      assertThat(handler.count()).isZero();
      assertThat(store.load("es-closed")).isEmpty();

      client.indices().open(o -> o.index(name));
      // Waits (server side, up to 30 s) until the reopened index's primaries are allocated.
      client.cluster().health(h -> h.index(name).waitForStatus(co.elastic.clients.elasticsearch._types.HealthStatus.Yellow)
          .timeout(t -> t.time("30s")));
      assertThat(run("es-closed", selector, handler, store).succeeded()).isEqualTo(closed.docs.size());
    } finally {
      AssetsIndex.deleteQuietly(client, name);
    }
  }

  @Test
  void aUrlThatIsNotElasticsearchIsNamedWithWhatItAnswered() throws Exception {
    HttpServer web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    web.createContext("/", exchange -> {
      byte[] body = "<html><body>Welcome to nginx!</body></html>".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    web.start();
    String url = "http://127.0.0.1:" + web.getAddress().getPort();
    ElasticsearchClient notEs = AssetsIndex.client(url);
    try {
      RecordingHandler handler = new RecordingHandler();
      JobReport report = run("es-not-es", ElasticsearchSelector.builder(notEs).index(assets.name).build(), handler,
          new InMemoryCheckpointStore());
      assertThat(report.status()).isEqualTo(JobStatus.FAILED);
      System.out.println("NOT ES (web page): " + report.failure().orElseThrow().getMessage());
      assertThat(report.failure().orElseThrow().getMessage()).contains(url).contains("did not answer like Elasticsearch");
      assertThat(handler.count()).isZero();
    } finally {
      AssetsIndex.close(notEs);
      web.stop(0);
    }
  }

  @Test
  void aPortThatClosesTheConnectionIsNamed() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread closer = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            s.getInputStream().read(new byte[1024]);
          } catch (IOException e) {
            return;
          }
        }
      });
      closer.setDaemon(true);
      closer.start();
      String url = "http://127.0.0.1:" + server.getLocalPort();
      ElasticsearchClient notEs = AssetsIndex.client(url);
      try {
        JobReport report = run("es-closer", ElasticsearchSelector.builder(notEs).index(assets.name).build(),
            new RecordingHandler(), new InMemoryCheckpointStore());
        assertThat(report.status()).isEqualTo(JobStatus.FAILED);
        System.out.println("NOT ES (closes): " + report.failure().orElseThrow().getMessage());
        assertThat(report.failure().orElseThrow().getMessage()).contains(url).contains("did not answer like Elasticsearch");
      } finally {
        AssetsIndex.close(notEs);
      }
    }
  }

  @Test
  void aCursorFromAnotherIndexOrShardIsRefused() {
    ElasticsearchSelector ofOther = ElasticsearchSelector.builder(client).index(other.name).build();
    Cursor fromOther;
    try (Paginator p = ofOther.open(ofOther.shards().get(0), null, 50)) {
      Page page = p.nextPage();
      assertThat(page.size()).isEqualTo(50);
      fromOther = page.cursor();
    }
    ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(assets.name).build();
    List<Shard> shards = selector.shards();
    Cursor fromShard0;
    try (Paginator p = selector.open(shards.get(0), null, 50)) {
      fromShard0 = p.nextPage().cursor();
    }

    assertThatThrownBy(() -> selector.open(shards.get(0), fromOther, 50).nextPage())
        .satisfies(e -> System.out.println("OTHER INDEX: " + e))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(other.name).hasMessageContaining(shards.get(0).id());
    assertThatThrownBy(() -> selector.open(shards.get(1), fromShard0, 50).nextPage())
        .satisfies(e -> System.out.println("OTHER SHARD: " + e))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(shards.get(0).id()).hasMessageContaining(shards.get(1).id());
    try (Paginator p = selector.open(shards.get(0), fromShard0, 50)) {
      assertThat(p.nextPage().size()).isPositive();
    }
  }

  @Test
  void aCursorFromAnIndexDeletedAndCreatedAgainUnderTheSameNameIsRefused() throws Exception {
    String name = AssetsIndex.uniqueName("reprocess-it-recreated");
    AssetsIndex.create(client, name, 1, 100);
    try {
      ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(name).build();
      Cursor before;
      try (Paginator p = selector.open(selector.shards().get(0), null, 10)) {
        before = p.nextPage().cursor();
      }
      AssetsIndex.deleteQuietly(client, name);
      AssetsIndex.create(client, name, 1, 100);
      Shard again = selector.shards().get(0);
      assertThatThrownBy(() -> selector.open(again, before, 10).nextPage())
          .satisfies(e -> System.out.println("RECREATED: " + e))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was deleted and created again");
    } finally {
      AssetsIndex.deleteQuietly(client, name);
    }
  }
}
