package dev.reprocess.elasticsearch;

import dev.reprocess.ReprocessException;

/**
 * Elasticsearch refused one item of a bulk request: the document of one event was not written.
 * {@link BulkReindexHandler} throws it from {@code handle}, so the engine retries the event and
 * then dead-letters it. For a transient refusal (HTTP 429 or 5xx) the handler throws a {@link
 * dev.reprocess.RetriableException} whose cause is this exception.
 */
public class BulkItemException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  private final String index;
  private final String documentId;
  private final int status;
  private final String errorType;
  private final String reason;

  /**
   * @param index the target index
   * @param documentId the document id
   * @param status the item's HTTP status, e.g. 400
   * @param errorType Elasticsearch's error type, e.g. {@code document_parsing_exception}
   * @param reason Elasticsearch's reason
   */
  public BulkItemException(String index, String documentId, int status, String errorType, String reason) {
    super("bulk item for document '" + documentId + "' in index '" + index + "' failed with HTTP " + status + ": "
        + errorType + ": " + reason);
    this.index = index;
    this.documentId = documentId;
    this.status = status;
    this.errorType = errorType;
    this.reason = reason;
  }

  /** The target index. */
  public String index() {
    return index;
  }

  /** The id of the document that was not written. */
  public String documentId() {
    return documentId;
  }

  /** The item's HTTP status. */
  public int status() {
    return status;
  }

  /** Elasticsearch's error type, e.g. {@code document_parsing_exception}, {@code es_rejected_execution_exception}. */
  public String errorType() {
    return errorType;
  }

  /** Elasticsearch's explanation. */
  public String reason() {
    return reason;
  }
}
