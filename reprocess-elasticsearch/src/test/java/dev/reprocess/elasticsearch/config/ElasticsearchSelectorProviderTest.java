package dev.reprocess.elasticsearch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.AssetSelector;
import dev.reprocess.config.ConfigContext;
import dev.reprocess.config.ConfigException;
import dev.reprocess.config.JobConfiguration;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import dev.reprocess.elasticsearch.fake.FakeTransport;
import dev.reprocess.testing.RecordingHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Elasticsearch selector kind through {@link JobConfiguration}, found with the ServiceLoader; no request is sent. */
class ElasticsearchSelectorProviderTest {

  private final ElasticsearchClient client = new ElasticsearchClient(new FakeTransport(request -> {
    throw new AssertionError("building must not send " + request);
  }));
  private final ConfigContext context = ConfigContext.of(Map.of("es", client, "h", new RecordingHandler()));

  private static Map<String, String> job(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("handler", "h");
    map.put("selector.kind", "elasticsearch");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put("selector." + keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void buildsAnElasticsearchSelector() {
    AssetSelector s = JobConfiguration.build("j", job("index", "assets", "query", "{\"term\":{\"status\":\"stale\"}}",
        "asset-type-field", "type", "attribute-fields", "size, owner", "slices", "4", "keep-alive", "10m",
        "fetch-size", "1000"), context).selector();
    assertThat(s).isInstanceOf(ElasticsearchSelector.class);
    assertThat(JobConfiguration.selectorKinds()).contains("elasticsearch");
  }

  @Test
  void namesTheKeyOfABadOption() {
    assertThatThrownBy(() -> JobConfiguration.build("j", "p.", job("index", "assets", "slices", "2000"), context))
        .isInstanceOf(ConfigException.class)
        .hasMessage("p.selector.slices is '2000': slices is 2000: it must be between 1 and 1024");
    assertThatThrownBy(() -> JobConfiguration.build("j", "p.", job(), context))
        .hasMessage("p.selector.index is not set: it must be an index, alias or pattern, e.g. assets or assets-*");
    assertThatThrownBy(() -> JobConfiguration.build("j", "p.", job("index", "assets"),
        ConfigContext.of(Map.of("h", new RecordingHandler()))))
        .hasMessageStartingWith("p.selector.kind needs an ElasticsearchClient");
  }
}
