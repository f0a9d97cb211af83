package dev.reprocess;

import java.time.Instant;
import java.util.Objects;

/**
 * Another owner holds the job's lease: thrown by {@link CheckpointStore#acquireLease}, and the
 * failure of a run refused under {@link RunningElsewhere#FAIL}. Not retriable.
 */
public class LeaseHeldException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  private final transient LeaseHolder holder;

  /**
   * @param message names the job and the holder
   * @param holder the holder as the store saw it
   */
  public LeaseHeldException(String message, LeaseHolder holder) {
    super(message);
    this.holder = Objects.requireNonNull(holder, "holder");
  }

  /**
   * The standard refusal: {@code job 'x': running elsewhere: its lease is held by '<owner>'
   * (fencing token N, last renewed <t>, expires <t>), ...} with what to do.
   *
   * @param now the time the holder was seen at, to tell a live lease from an expired one
   */
  public static LeaseHeldException of(String jobName, LeaseHolder holder, Instant now) {
    String state = holder.expiredAt(now)
        ? "; that lease expired at " + holder.expiresAt() + " (its holder crashed, froze or lost the"
            + " store): set onRunningElsewhere(TAKE_OVER_EXPIRED) or WAIT to take it over"
        : "; it is live: wait for that run, or set onRunningElsewhere(WAIT)";
    return new LeaseHeldException("job '" + jobName + "': running elsewhere: its lease is held by "
        + holder + state, holder);
  }

  /** The holder as the store saw it. */
  public LeaseHolder holder() {
    return holder;
  }
}
