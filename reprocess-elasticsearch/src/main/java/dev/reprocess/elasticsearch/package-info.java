/**
 * Elasticsearch for Reprocess: {@link dev.reprocess.elasticsearch.ElasticsearchSelector} selects the
 * documents that match a query (point in time per shard, {@code _seq_no} order, {@code search_after},
 * stable slices), and {@link dev.reprocess.elasticsearch.BulkReindexHandler} writes each event's
 * document to a target index in acknowledged bulk requests.
 *
 * <p>Both use the host's {@code co.elastic.clients.elasticsearch.ElasticsearchClient} and never close
 * it. Types in {@code dev.reprocess.elasticsearch.internal} are not part of the API.
 */
package dev.reprocess.elasticsearch;
