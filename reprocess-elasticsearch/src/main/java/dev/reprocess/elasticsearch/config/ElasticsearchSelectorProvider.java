package dev.reprocess.elasticsearch.config;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.AssetSelector;
import dev.reprocess.config.ConfigContext;
import dev.reprocess.config.ConfigException;
import dev.reprocess.config.ConfigValues;
import dev.reprocess.config.SelectorProvider;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import java.util.Optional;
import java.util.Set;

/**
 * The Elasticsearch module's selector kind for {@link dev.reprocess.config.JobConfiguration}:
 * {@value #KIND}, an {@link ElasticsearchSelector}, each option the builder method of the same
 * name (keys relative to the job's {@code selector.}): {@code index} (required), {@code query}
 * (the query as JSON, default match all), {@code id-field}, {@code asset-type-field}, {@code
 * attribute-fields} (comma-separated), {@code slices}, {@code keep-alive}, {@code fetch-size}. It
 * reads with the context's one {@link ElasticsearchClient}, or the one named by {@code client}.
 * Thread-safe.
 */
public final class ElasticsearchSelectorProvider implements SelectorProvider {

  /** The kind: {@value}. */
  public static final String KIND = "elasticsearch";

  @Override
  public Set<String> kinds() {
    return Set.of(KIND);
  }

  @Override
  public AssetSelector create(String kind, ConfigValues o, ConfigContext context) {
    ElasticsearchSelector.Builder b = ElasticsearchSelector.builder(client(o, context));
    b.index(o.required("index", "an index, alias or pattern, e.g. assets or assets-*"));
    o.string("query").ifPresent(b::query);
    o.string("id-field").ifPresent(b::idField);
    o.string("asset-type-field").ifPresent(b::assetTypeField);
    b.attributeFields(o.list("attribute-fields"));
    o.integer("slices").ifPresent(b::slices);
    o.duration("keep-alive").ifPresent(b::keepAlive);
    o.integer("fetch-size").ifPresent(b::fetchSize);
    return b.build();
  }

  private static ElasticsearchClient client(ConfigValues o, ConfigContext context) {
    Optional<String> name = o.string("client");
    if (name.isPresent()) {
      return context.named(name.get(), ElasticsearchClient.class)
          .orElseThrow(() -> o.invalid("client", name.get(), "there is no ElasticsearchClient of that name"));
    }
    return context.find(ElasticsearchClient.class).orElseThrow(() -> new ConfigException(o.key("kind"),
        o.key("kind") + " needs an ElasticsearchClient: there is none in the context (add the "
            + "application's client, or name one with " + o.key("client") + ")"));
  }
}
