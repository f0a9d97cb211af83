package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.Cursor;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyCursorTest {
  private final KeyCursor cursors = new KeyCursor("table ks.t added timestamp DESC, item_id text ASC",
      List.of(DataTypes.TIMESTAMP, DataTypes.TEXT, DataTypes.BIGINT, DataTypes.UUID, DataTypes.DATE, DataTypes.INT));

  @Test
  void aClusteringKeyOfEveryTypeSurvivesTheRoundTripThroughItsString() {
    Object[] key = {Instant.parse("2026-12-01T10:00:00.123Z"), "it's.a 'text' with dots/€", -42L, UUID.randomUUID(),
        LocalDate.of(2026, 12, 1), 7};
    Cursor cursor = cursors.encode(key);
    assertThat(cursor.value()).startsWith("k1.");
    assertThat(cursors.decode(Cursor.of(cursor.value()), "s")).containsExactly(key);
  }

  @Test
  void aCursorOfAnotherShapeOrSelectorIsRefused() {
    KeyCursor other = new KeyCursor("table ks.t added timestamp ASC, item_id text DESC",
        List.of(DataTypes.TIMESTAMP, DataTypes.TEXT, DataTypes.BIGINT, DataTypes.UUID, DataTypes.DATE, DataTypes.INT));
    Cursor theirs = other.encode(new Object[] {Instant.EPOCH, "a", 1L, UUID.randomUUID(), LocalDate.EPOCH, 1});
    assertThatThrownBy(() -> cursors.decode(theirs, "day=2026-12-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cursor is 'k1.").hasMessageContaining("for shard day=2026-12-01")
        .hasMessageContaining("another table, clustering key or read direction");
    assertThatThrownBy(() -> cursors.decode(Cursor.of(Uuids.timeBased().toString()), "s"))
        .hasMessageContaining("it must be 'k1.<shape>' followed by 6 clustering values");
  }

  @Test
  void aTamperedValueIsRefusedNamingItsPosition() {
    String[] parts = cursors.encode(new Object[] {Instant.EPOCH, "a", 1L, UUID.randomUUID(), LocalDate.EPOCH, 1})
        .value().split("\\.");
    parts[4] = "bm90LWEtbnVtYmVy"; // "not-a-number" for the bigint
    assertThatThrownBy(() -> cursors.decode(Cursor.of(String.join(".", parts)), "s"))
        .hasMessageContaining("clustering value 3 is not a valid bigint");
  }
}
