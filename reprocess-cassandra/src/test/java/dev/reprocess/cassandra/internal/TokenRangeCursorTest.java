package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TokenRangeCursorTest {

  @Test
  void roundTripsWithAPagingState() {
    ByteBuffer state = ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff, 42});
    TokenRangeCursor c = new TokenRangeCursor("-9223372036854775808", "-100", state);
    TokenRangeCursor back = TokenRangeCursor.parse(c.value(), "s", "-9223372036854775808", "-100");
    assertThat(back.pagingState()).isEqualTo(state);
    assertThat(back.atEnd()).isFalse();
    assertThat(back.value()).isEqualTo(c.value());
  }

  @Test
  void roundTripsAtTheEndOfAnUnboundedRange() {
    TokenRangeCursor c = new TokenRangeCursor("42", "", null);
    assertThat(c.value()).isEqualTo("42||");
    assertThat(TokenRangeCursor.parse(c.value(), "s", "42", "").atEnd()).isTrue();
  }

  @Test
  void aCursorOfAnotherRangeIsRefused() {
    String value = new TokenRangeCursor("1", "2", ByteBuffer.wrap(new byte[] {1})).value();
    assertThatThrownBy(() -> TokenRangeCursor.parse(value, "token(2,3]", "2", "3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("it belongs to token range (1, 2], not to this shard's (2, 3]");
    assertThatThrownBy(() -> TokenRangeCursor.parse("garbage", "token(2,3]", "2", "3"))
        .hasMessageContaining("it must be '<start>|<end>|<paging state>'");
    assertThatThrownBy(() -> TokenRangeCursor.parse("2|3|!!!", "token(2,3]", "2", "3"))
        .hasMessageContaining("its paging state is not Base64");
  }
}
