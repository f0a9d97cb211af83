package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.SimpleJsonpMapper;
import co.elastic.clients.json.jackson.Jackson3JsonpMapper;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class QueryJsonTest {

  static Stream<JsonpMapper> mappers() {
    return Stream.of(new JacksonJsonpMapper(), new Jackson3JsonpMapper(), new SimpleJsonpMapper());
  }

  @ParameterizedTest
  @MethodSource("mappers")
  void readsAQueryAndARequestBodyWrappingOne(JsonpMapper mapper) {
    Query term = QueryJson.parse("query", "{\"term\": {\"color\": \"red\"}}", mapper);
    assertThat(term.isTerm()).isTrue();
    assertThat(term.term().field()).isEqualTo("color");
    Query wrapped = QueryJson.parse("query", "{\"query\": {\"bool\": {\"filter\": [{\"range\": {\"size\": {\"gte\": 10}}}]}}}", mapper);
    assertThat(wrapped.isBool()).isTrue();
    assertThat(QueryJson.toJson(wrapped, mapper)).contains("\"range\"").contains("\"size\"");
  }

  @ParameterizedTest
  @MethodSource("mappers")
  void namesTheLineAndColumnOfASyntaxError(JsonpMapper mapper) {
    assertThatThrownBy(() -> QueryJson.parse("query", "{\n  \"term\": {\"color\": red}}", mapper))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("query is not a valid JSON query: at line 2, column ")
        .hasMessageContaining("(in 'term");
  }

  @ParameterizedTest
  @MethodSource("mappers")
  void rejectsAnUnfinishedQuery(JsonpMapper mapper) {
    assertThatThrownBy(() -> QueryJson.parse("query", "{\"term\": {\"color\": \"red\"}", mapper))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at line 1, column");
  }

  @ParameterizedTest
  @MethodSource("mappers")
  void rejectsTextAfterTheQuery(JsonpMapper mapper) {
    assertThatThrownBy(() -> QueryJson.parse("query", "{\"match_all\": {}} {}", mapper))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("(?s)query is not (a )?valid.*at line 1, column (18|19|20).*");
  }

  @ParameterizedTest
  @MethodSource("mappers")
  void rejectsAnArrayAnEmptyQueryAndBlankText(JsonpMapper mapper) {
    assertThatThrownBy(() -> QueryJson.parse("query", "[1]", mapper))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at line 1, column 2");
    assertThatThrownBy(() -> QueryJson.parse("query", "{\"term\": {}}", mapper))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(in 'term')");
    assertThatThrownBy(() -> QueryJson.parse("query", "  ", mapper))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("query is '  ': it must be a JSON query");
  }
}
