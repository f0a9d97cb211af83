package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import org.junit.jupiter.api.Test;

class StatementOptionsTest {

  @Test
  void appliesTheGivenOptionsAndMarksTheStatementIdempotent() {
    BoundStatement statement = mock(BoundStatement.class);
    BoundStatement idempotent = mock(BoundStatement.class);
    BoundStatement withLevel = mock(BoundStatement.class);
    BoundStatement withProfile = mock(BoundStatement.class);
    when(statement.setIdempotent(true)).thenReturn(idempotent);
    when(idempotent.setConsistencyLevel(DefaultConsistencyLevel.LOCAL_ONE)).thenReturn(withLevel);
    when(withLevel.setExecutionProfileName("slow")).thenReturn(withProfile);

    StatementOptions options = StatementOptions.check(DefaultConsistencyLevel.LOCAL_ONE, "slow", false);

    assertThat(options.apply(statement)).isSameAs(withProfile);
  }

  @Test
  void leavesTheSessionDefaultsAlone() {
    BoundStatement statement = mock(BoundStatement.class);
    BoundStatement idempotent = mock(BoundStatement.class);
    when(statement.setIdempotent(true)).thenReturn(idempotent);

    assertThat(StatementOptions.check(null, null, false).apply(statement)).isSameAs(idempotent);
    verify(statement).setIdempotent(true);
    verifyNoMoreInteractions(statement, idempotent);
  }

  @Test
  void refusesANullLevelOnlyWhereOneIsRequiredAndABlankProfileEverywhere() {
    assertThatThrownBy(() -> StatementOptions.check(null, null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consistencyLevel is null: it must be a consistency level, e.g. LOCAL_QUORUM");
    assertThat(StatementOptions.check(null, null, false).consistencyLevel()).isNull();
    assertThatThrownBy(() -> StatementOptions.check(ConsistencyLevel.ONE, "", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executionProfile is '': it must be a profile name");
  }
}
