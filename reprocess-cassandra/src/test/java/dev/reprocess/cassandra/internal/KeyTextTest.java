package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyTextTest {
  private static final CqlIdentifier C = CqlIdentifier.fromCql("c");

  private static Object parse(DataType type, String text) {
    return KeyText.parse("line 1", C, type, text);
  }

  @Test
  void readsEveryIdTypeFromTheTextASelectorHandsOut() {
    UUID timeuuid = Uuids.timeBased();
    UUID random = UUID.randomUUID();
    List<Object> values = List.of(timeuuid, random, "a, \"b\" é", "abc", 10_000_000_000L, -5,
        LocalDate.of(2026, 12, 1), Instant.parse("2026-12-01T10:00:00.007Z"), (short) 3, (byte) -1, true);
    List<DataType> types = List.of(DataTypes.TIMEUUID, DataTypes.UUID, DataTypes.TEXT, DataTypes.ASCII,
        DataTypes.BIGINT, DataTypes.INT, DataTypes.DATE, DataTypes.TIMESTAMP, DataTypes.SMALLINT, DataTypes.TINYINT,
        DataTypes.BOOLEAN);
    for (int i = 0; i < values.size(); i++) {
      assertThat(parse(types.get(i), KeyText.format(values.get(i)))).isEqualTo(values.get(i));
    }
  }

  @Test
  void aMalformedValueNamesTheColumnTheTypeAndTheValue() {
    assertThatThrownBy(() -> parse(DataTypes.BIGINT, "12x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line 1: column c is bigint, the value '12x' is not one");
    assertThatThrownBy(() -> parse(DataTypes.INT, "3000000000"))
        .hasMessage("line 1: column c is int, the value '3000000000' is not one");
    assertThatThrownBy(() -> parse(DataTypes.TIMEUUID, UUID.randomUUID().toString()))
        .hasMessageEndingWith("is not one (version 4 uuid, a timeuuid is version 1)");
    assertThatThrownBy(() -> parse(DataTypes.UUID, "1-1-1-1-1"))
        .hasMessage("line 1: column c is uuid, the value '1-1-1-1-1' is not one");
    assertThatThrownBy(() -> parse(DataTypes.ASCII, "caf\u00e9"))
        .hasMessageEndingWith("is not one (character 4 is not ASCII)");
    assertThatThrownBy(() -> parse(DataTypes.TIMESTAMP, "2026-12-01"))
        .hasMessageEndingWith("is not one (a timestamp is an ISO-8601 instant, e.g. 2026-12-01T10:00:00Z)");
    assertThatThrownBy(() -> parse(DataTypes.BOOLEAN, "yes"))
        .hasMessage("line 1: column c is boolean, the value 'yes' is not one");
    assertThatThrownBy(() -> parse(DataTypes.BIGINT, "7".repeat(5000)))
        .hasMessage("line 1: column c is bigint, the value '" + "7".repeat(100) + "... (5000 characters in all)'"
            + " is not one");
    assertThatThrownBy(() -> parse(DataTypes.BLOB, "0x00"))
        .hasMessageStartingWith("line 1: column c is blob, a key column must be timeuuid, uuid, text");
    assertThat(KeyText.supports(DataTypes.BLOB)).isFalse();
  }
}
