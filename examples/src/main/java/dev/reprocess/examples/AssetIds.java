package dev.reprocess.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;

/**
 * Deterministic timeuuids (RFC 4122 version 1) for files: the timestamp is the file's modification
 * time (at the 100 ns precision of a version 1 uuid), and the 14-bit clock sequence and 48-bit node
 * come from a SHA-256 of the path instead of a clock and a MAC address. Ingesting the same file
 * twice gives the same id (so ingest is idempotent), while files modified at the same instant still
 * get different ids (two paths collide only if their hashes agree on 62 bits). As RFC 4122 section
 * 4.5 asks for nodes that are not MAC addresses, the node's multicast bit is set.
 *
 * <p>The ids sort by modification time in Cassandra ({@code TimeUUIDType} compares the timestamp
 * first), which is what the time-bucket selector's windows rely on. Stateless and thread-safe.
 */
final class AssetIds {
  /** 100 ns intervals between 1582-10-15T00:00Z (the uuid epoch) and 1970-01-01T00:00Z. */
  static final long UUID_EPOCH_OFFSET = 0x01B2_1DD2_1381_4000L;
  /** The first instant a version 1 uuid can hold. */
  static final Instant UUID_EPOCH = Instant.parse("1582-10-15T00:00:00Z");

  private AssetIds() {}

  /** The id of the file at {@code path} (made absolute and normalized) last modified at {@code modifiedAt}. */
  static UUID forFile(Path path, Instant modifiedAt) {
    return of(timestamp(modifiedAt), pathHash(path.toAbsolutePath().normalize().toString()));
  }

  /** The version 1 uuid with this 60-bit timestamp, and clock sequence and node taken from {@code hash}. */
  static UUID of(long timestamp, long hash) {
    if (timestamp < 0 || timestamp >= (1L << 60)) {
      throw new IllegalArgumentException("timestamp is " + timestamp + ": it must fit in 60 bits");
    }
    long msb = (timestamp << 32)                        // time_low
        | ((timestamp >>> 16) & 0xFFFF_0000L)           // time_mid
        | 0x1000L                                       // version 1
        | ((timestamp >>> 48) & 0x0FFFL);               // time_hi
    long lsb = (hash & 0x3FFF_FFFF_FFFF_FFFFL)          // 14-bit clock sequence + 48-bit node
        | 0x8000_0000_0000_0000L                        // IETF variant (10xx)
        | (1L << 40);                                   // multicast bit of the node's first octet
    return new UUID(msb, lsb);
  }

  /** 100 ns intervals since the uuid epoch. */
  static long timestamp(Instant instant) {
    if (instant.isBefore(UUID_EPOCH)) {
      throw new IllegalArgumentException("time is " + instant + ": a timeuuid holds times from " + UUID_EPOCH + " on");
    }
    return Math.addExact(Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 10_000_000L), instant.getNano() / 100),
        UUID_EPOCH_OFFSET);
  }

  /** The instant a version 1 uuid's timestamp stands for, at 100 ns precision. */
  static Instant instantOf(UUID id) {
    if (id.version() != 1) {
      throw new IllegalArgumentException("id is " + id + ": it must be a version 1 (time-based) uuid");
    }
    long t = id.timestamp() - UUID_EPOCH_OFFSET;
    return Instant.ofEpochSecond(Math.floorDiv(t, 10_000_000L), Math.floorMod(t, 10_000_000L) * 100);
  }

  private static long pathHash(String path) {
    byte[] digest = sha256().digest(path.getBytes(StandardCharsets.UTF_8));
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (digest[i] & 0xFF);
    }
    return h;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
    }
  }
}
