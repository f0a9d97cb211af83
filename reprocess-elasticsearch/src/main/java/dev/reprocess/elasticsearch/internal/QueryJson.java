package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpMappingException;
import co.elastic.clients.json.JsonpUtils;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;

/** Reads a query DSL string into the client's typed {@link Query}, and writes one back. */
public final class QueryJson {

  private QueryJson() {}

  /**
   * Parses a query such as {@code {"term": {"color": "red"}}}, also accepting it wrapped as
   * {@code {"query": {...}}} (the shape of a search request body).
   *
   * @param option the builder option, for messages
   * @throws IllegalArgumentException naming the line and column when the text is not a JSON query
   */
  public static Query parse(String option, String json, JsonpMapper mapper) {
    if (json == null || json.isBlank()) {
      throw new IllegalArgumentException(option + " is '" + json + "': it must be a JSON query, e.g. {\"match_all\": {}}");
    }
    Query query;
    try (JsonParser parser = mapper.jsonProvider().createParser(new StringReader(json))) {
      query = Query._DESERIALIZER.deserialize(parser, mapper);
      if (parser.hasNext()) {
        JsonLocation at = parser.getLocation();
        throw new IllegalArgumentException(
            option + " is not valid: unexpected " + parser.next() + " after the query at " + where(at)
                + "; it must be a single JSON object, e.g. {\"match_all\": {}}");
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " is not a valid JSON query: " + explain(e) + ". Query: " + abbreviate(json), e);
    }
    return unwrap(option, query, mapper);
  }

  /** {@code {"query": X}} is read as {@code X}. */
  private static Query unwrap(String option, Query query, JsonpMapper mapper) {
    if (query._kind() == Query.Kind._Custom && "query".equals(query._customKind())) {
      return parse(option, JsonpUtils.toJsonString(query._custom(), mapper), mapper);
    }
    return query;
  }

  /** Where and why, from the deepest parsing failure: "at line 2, column 23 (path term): ...". */
  static String explain(Throwable e) {
    JsonLocation location = null;
    String path = null;
    String reason = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonpMappingException m && path == null && m.path() != null && !m.path().isEmpty()) {
        path = m.path();
      }
      if (t instanceof JsonParsingException p && p.getLocation() != null) {
        location = p.getLocation();
      }
      if (t.getCause() == null || t.getCause() == t) {
        reason = t.getMessage();
      }
    }
    StringBuilder text = new StringBuilder();
    if (location != null) {
      text.append("at ").append(where(location));
    }
    if (path != null) {
      text.append(text.length() > 0 ? " " : "").append("(in '").append(path).append("')");
    }
    text.append(text.length() > 0 ? ": " : "").append(clean(reason));
    return text.toString();
  }

  private static String where(JsonLocation location) {
    return "line " + location.getLineNumber() + ", column " + location.getColumnNumber();
  }

  /** Drops Jackson's source excerpt and the client's wrapping from a parser message. */
  private static String clean(String message) {
    if (message == null) {
      return "unexpected end of input";
    }
    return message
        .replaceAll("(?s)\\n at \\[Source.*", "")
        .replaceAll(" \\(start marker at \\[Source.*?\\]\\)", "")
        .replaceAll("\\s*at \\(line no=[^)]*\\)", "")
        .replaceAll("\\s*\\(line no=[^)]*\\)", "")
        .replace("Jackson exception: ", "")
        .strip();
  }

  private static String abbreviate(String json) {
    String oneLine = json.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }

  /** The query as compact JSON, for logs and {@code describe()}. */
  public static String toJson(Query query, JsonpMapper mapper) {
    return JsonpUtils.toJsonString(query, mapper);
  }
}
