package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void unquotedNamesAreCaseInsensitiveAsInCql() {
    assertThat(Identifiers.parse("idColumn", "Asset_Id")).isEqualTo(CqlIdentifier.fromInternal("asset_id"));
  }

  @Test
  void quotedNamesKeepTheirCaseAndAreQuotedBack() {
    CqlIdentifier id = Identifiers.parse("idColumn", "\"AssetId\"");
    assertThat(id.asInternal()).isEqualTo("AssetId");
    assertThat(id.asCql(true)).isEqualTo("\"AssetId\"");
  }

  @Test
  void aQuotedNameMayHoldEscapedQuotesAndDots() {
    CqlIdentifier id = Identifiers.parse("table", "\"a\"\"b.c\"");
    assertThat(id.asInternal()).isEqualTo("a\"b.c");
    assertThat(id.asCql(true)).isEqualTo("\"a\"\"b.c\"");
  }

  @Test
  void cqlInANameIsRefusedWithTheOptionAndTheValue() {
    assertThatThrownBy(() -> Identifiers.parse("bucketColumn", "bucket = 1; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bucketColumn is 'bucket = 1; DROP TABLE x': it must be a CQL identifier");
    assertThatThrownBy(() -> Identifiers.parse("idColumn", "\"a\"b\""))
        .hasMessageStartingWith("idColumn is '\"a\"b\"'");
    assertThatThrownBy(() -> Identifiers.parse("idColumn", "1abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Identifiers.parse("idColumn", " ")).hasMessage("idColumn is ' ': it must be a non-blank CQL identifier");
    assertThatThrownBy(() -> Identifiers.parse("idColumn", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void qualifiedTableNamesSplitOutsideQuotes() {
    TableName t = Identifiers.parseTable("table", "Media.\"Assets.v2\"", null);
    assertThat(t.keyspace().asInternal()).isEqualTo("media");
    assertThat(t.table().asInternal()).isEqualTo("Assets.v2");
    assertThat(t.cql()).isEqualTo("media.\"Assets.v2\"");
  }

  @Test
  void aBareTableNameNeedsASessionKeyspace() {
    CqlSession withKeyspace = mock(CqlSession.class);
    when(withKeyspace.getKeyspace()).thenReturn(Optional.of(CqlIdentifier.fromCql("media")));
    assertThat(Identifiers.parseTable("table", "assets", withKeyspace).cql()).isEqualTo("media.assets");

    CqlSession without = mock(CqlSession.class);
    when(without.getKeyspace()).thenReturn(Optional.empty());
    assertThatThrownBy(() -> Identifiers.parseTable("table", "assets", without))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table is 'assets': it must be 'keyspace.table', since the session has no keyspace");
    assertThatThrownBy(() -> Identifiers.parseTable("table", "a.b.c", without))
        .hasMessage("table is 'a.b.c': it must be 'keyspace.table'");
  }
}
