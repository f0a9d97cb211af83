package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Cursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeqNoCursorTest {

  @ParameterizedTest
  @CsvSource({"-1, -1", "-1, 199999", "41234, 199999", "9007199254740993, 9223372036854775807"})
  void roundTripsThroughItsStoredForm(long position, long max) {
    SeqNoCursor cursor = new SeqNoCursor(position, max);
    Cursor stored = Cursor.of(cursor.toCursor().value());
    assertThat(stored.value()).isEqualTo("es-seqno:v2:" + position + ":" + max);
    assertThat(SeqNoCursor.parse(stored)).isEqualTo(cursor);
  }

  @Test
  void readsAVersionOneCursorWithItsMaxSeqNoAsTheBase() {
    assertThat(SeqNoCursor.parse(Cursor.of("es-seqno:v1:41234:199999"))).isEqualTo(new SeqNoCursor(41234, 199999));
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "es-seqno:v3:1:2", "es-seqno:v3:1:2:s", "es-seqno:v3:1:2:s:", "es-seqno:v3:x:2:s:u", "es-seqno:v2:1", "es-seqno:v2:1:2:3", "es-seqno:v1:1", "es-seqno:v1:1:2:3", "es-seqno:v1:x:2", "es-seqno:v1:-5:2", "cassandra:abc"})
  void rejectsCursorsItDidNotWrite(String value) {
    assertThatThrownBy(() -> SeqNoCursor.parse(Cursor.of(value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cursor '" + value + "' was not produced by ElasticsearchSelector");
  }

  @Test
  void aV3CursorCarriesItsShardAndIndexAndIsRefusedElsewhere() {
    EsShard shard = new EsShard("assets", 0, 1, 4, null, 99L, "uuid-a");
    Cursor stored = new SeqNoCursor(41, 99, shard.id(), shard.indexUuid()).toCursor();
    assertThat(stored.value()).isEqualTo("es-seqno:v3:41:99:assets[0]/slice-1-of-4:uuid-a");
    SeqNoCursor read = SeqNoCursor.parse(stored);
    assertThat(read).isEqualTo(new SeqNoCursor(41, 99, "assets[0]/slice-1-of-4", "uuid-a"));
    read.requireBelongsTo(shard);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read.requireBelongsTo(new EsShard("assets", 0, 2, 4, null, 99L, "uuid-a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to shard 'assets[0]/slice-1-of-4', not to shard 'assets[0]/slice-2-of-4'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read.requireBelongsTo(new EsShard("assets", 0, 1, 4, null, 99L, "uuid-b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("with uuid uuid-a, but that index now has uuid uuid-b: it was deleted and created again");
    // Without a uuid on either side, only the shard is checked; an old cursor checks nothing.
    SeqNoCursor.parse(new SeqNoCursor(41, 99, shard.id(), null).toCursor()).requireBelongsTo(shard);
    SeqNoCursor.parse(Cursor.of("es-seqno:v2:41:99")).requireBelongsTo(new EsShard("other", 3, 0, 1, null, null, "x"));
  }
}
