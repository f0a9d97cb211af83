package dev.reprocess.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DriverErrorsTest {

  @Test
  void transientFailuresAreRetriable() {
    assertThat(DriverErrors.translate("read", new DriverTimeoutException("Query timed out after PT2S")))
        .isInstanceOf(RetriableException.class)
        .hasMessage("read: DriverTimeoutException: Query timed out after PT2S");
    assertThat(DriverErrors.translate("read", new NoNodeAvailableException())).isInstanceOf(RetriableException.class);
  }

  @Test
  void otherFailuresAreNot() {
    ReprocessException e = DriverErrors.translate("read", new InvalidQueryException(null, "Undefined column"));
    assertThat(e).isNotInstanceOf(RetriableException.class).hasMessageContaining("Undefined column");
  }

  @Test
  void awaitUnwrapsTheStagesFailure() {
    CompletableFuture<Object> failed = CompletableFuture.failedFuture(new DriverTimeoutException("slow"));
    assertThatThrownBy(() -> DriverErrors.await(failed, "shard x: page read failed"))
        .isInstanceOf(RetriableException.class)
        .hasMessage("shard x: page read failed: DriverTimeoutException: slow")
        .hasCauseInstanceOf(DriverTimeoutException.class);
  }
}
