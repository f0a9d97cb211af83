package dev.reprocess;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a job's lease, as the checkpoint store last saw it.
 *
 * @param owner the holder's owner id, e.g. {@code host-a/4242/3f9c1e2a}
 * @param fencingToken the token of its lease
 * @param renewedAt when it acquired or last renewed it (the holder's clock)
 * @param expiresAt when it expires unless renewed (the holder's clock)
 */
public record LeaseHolder(String owner, long fencingToken, Instant renewedAt, Instant expiresAt) {

  public LeaseHolder {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(renewedAt, "renewedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Whether the lease had expired at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** {@code '<owner>' (fencing token N, last renewed <t>, expires <t>)}. */
  @Override
  public String toString() {
    return "'" + owner + "' (fencing token " + fencingToken + ", last renewed " + renewedAt
        + ", expires " + expiresAt + ")";
  }
}
