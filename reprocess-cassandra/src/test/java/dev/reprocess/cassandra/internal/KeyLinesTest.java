package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The RFC 4180 split of a key line; typing against a schema is covered by CompositeKeyIT. */
class KeyLinesTest {

  @Test
  void splitsQuotedValuesAsRfc4180() {
    assertThat(KeyLines.split("a,2026-12-01,42", "line 1")).containsExactly("a", "2026-12-01", "42");
    assertThat(KeyLines.split("\"a,b\",\"say \"\"hi\"\"\",x", "line 1")).containsExactly("a,b", "say \"hi\"", "x");
    assertThat(KeyLines.split("a,,c", "line 1")).containsExactly("a", "", "c");
    assertThat(KeyLines.split("\u00e9t\u00e9,\u65e5", "line 1")).containsExactly("\u00e9t\u00e9", "\u65e5");
    assertThat(KeyLines.split(" a , b", "line 1")).containsExactly(" a ", " b");
  }

  @Test
  void refusesWhatIsNotOneRecord() {
    assertThatThrownBy(() -> KeyLines.split("a,\"open", "line 7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 7 is 'a,\"open': it is not a record of comma-separated values quoted as in"
            + " RFC 4180 (");
    assertThatThrownBy(() -> KeyLines.split("a,\"x\"y", "line 2"))
        .hasMessageStartingWith("line 2 is 'a,\"x\"y': it is not a record");
  }
}
