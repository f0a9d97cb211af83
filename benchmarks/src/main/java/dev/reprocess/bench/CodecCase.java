package dev.reprocess.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Case 12, no server: what turning an event into bytes and back costs, per format and library
 * (issue 18 item 2). 100,000 events like a job's (UUID event and asset ids, a type, a time-bucket
 * shard id, one attribute), written and read one at a time by: Jackson data binding of format 1
 * ({@code createdAt} an ISO-8601 string, the reader released before format 2: the baseline),
 * the same with Jackson's Blackbird module, data binding reading format 2 (what a worker of the
 * previous version does with a new job's events), and {@link EventJson} (format 2, Jackson's
 * streaming API) reading both formats. Each variant repeats until {@code --min-seconds} passed.
 */
final class CodecCase {
  private static final int EVENTS = 100_000;
  private static final String BIND_1 = "data binding, format 1 (released reader)";
  private static final String BIRD_1 = "data binding + Blackbird, format 1";
  private static final String BIND_2 = "data binding, format 2 (previous version's reader)";
  private static final String BIRD_2 = "data binding + Blackbird, format 2";
  private static final String STREAM_1 = "EventJson (streaming), format 1";
  private static final String STREAM_2 = "EventJson (streaming), format 2";
  private static final String W_BIND_1 = "write: data binding, format 1 (released writer)";
  private static final String W_BIRD_1 = "write: data binding + Blackbird, format 1";
  private static final String W_STREAM_2 = "write: EventJson (streaming), format 2";

  private CodecCase() {}

  static void run(Options o, Results results) throws Exception {
    ObjectMapper bind = format1Mapper(false);
    ObjectMapper bird = format1Mapper(true);
    List<ReprocessEvent> events = events();
    List<byte[]> format1 = new ArrayList<>(EVENTS);
    List<byte[]> format2 = new ArrayList<>(EVENTS);
    for (ReprocessEvent e : events) {
      format1.add(bind.writeValueAsBytes(e));
      format2.add(EventJson.toBytes(e));
    }
    long minNanos = (long) (o.minSeconds * 1e9);
    Rounds rounds = new Rounds("codec");
    rounds.add(BIND_1, r -> Reads.repeated(minNanos, BIND_1, EVENTS, () -> read(format1, b -> bind.readValue(b, ReprocessEvent.class))));
    rounds.add(BIRD_1, r -> Reads.repeated(minNanos, BIRD_1, EVENTS, () -> read(format1, b -> bird.readValue(b, ReprocessEvent.class))));
    rounds.add(BIND_2, r -> Reads.repeated(minNanos, BIND_2, EVENTS, () -> read(format2, b -> bind.readValue(b, ReprocessEvent.class))));
    rounds.add(BIRD_2, r -> Reads.repeated(minNanos, BIRD_2, EVENTS, () -> read(format2, b -> bird.readValue(b, ReprocessEvent.class))));
    rounds.add(STREAM_1, r -> Reads.repeated(minNanos, STREAM_1, EVENTS, () -> read(format1, EventJson::fromBytes)));
    rounds.add(STREAM_2, r -> Reads.repeated(minNanos, STREAM_2, EVENTS, () -> read(format2, EventJson::fromBytes)));
    rounds.add(W_BIND_1, r -> Reads.repeated(minNanos, W_BIND_1, EVENTS, () -> write(events, bind::writeValueAsBytes)));
    rounds.add(W_BIRD_1, r -> Reads.repeated(minNanos, W_BIRD_1, EVENTS, () -> write(events, bird::writeValueAsBytes)));
    rounds.add(W_STREAM_2, r -> Reads.repeated(minNanos, W_STREAM_2, EVENTS, () -> write(events, EventJson::toBytes)));
    rounds.run(o.warmups, o.runs);

    String c = String.format("12. Event JSON, %,d events of %d B (format 1) / %d B (format 2), one thread, no server",
        EVENTS, format1.get(0).length, format2.get(0).length);
    results.addRate(c, "read: " + BIND_1 + " (baseline)", rounds, BIND_1, "events/s", 1.0, null);
    for (String v : List.of(BIRD_1, BIND_2, BIRD_2, STREAM_1, STREAM_2)) {
      results.addRate(c, "read: " + v, rounds, v, "events/s", rounds.ratio(v, BIND_1), null);
    }
    results.add(c, "read: cost per event, " + BIND_1, 1e6 / rounds.median(BIND_1), "us/event", null, null);
    results.add(c, "read: cost per event, " + STREAM_2, 1e6 / rounds.median(STREAM_2), "us/event", null, null);
    results.addRate(c, W_BIND_1 + " (baseline)", rounds, W_BIND_1, "events/s", 1.0, null);
    results.addRate(c, W_BIRD_1, rounds, W_BIRD_1, "events/s", rounds.ratio(W_BIRD_1, W_BIND_1), null);
    results.addRate(c, W_STREAM_2, rounds, W_STREAM_2, "events/s", rounds.ratio(W_STREAM_2, W_BIND_1), null);
  }

  /** The mapper of the released format-1 EventJson (ISO instants, unknown fields ignored). */
  private static ObjectMapper format1Mapper(boolean blackbird) {
    JsonMapper.Builder b = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    if (blackbird) {
      b.addModule(new BlackbirdModule());
    }
    return b.build();
  }

  private static List<ReprocessEvent> events() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Instant base = Instant.parse("2026-12-04T00:00:00Z");
    List<ReprocessEvent> list = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      list.add(new ReprocessEvent(UUID.randomUUID().toString(), "backfill-sizes", UUID.randomUUID().toString(),
          "image/png", "image/png#2024-06-" + (10 + i % 20), 1, base.plusNanos(r.nextLong(86_400_000_000_000L)),
          Map.of("size", Integer.toString(r.nextInt(1 << 20)))));
    }
    return list;
  }

  @FunctionalInterface
  private interface Decoder {
    ReprocessEvent read(byte[] bytes) throws IOException;
  }

  @FunctionalInterface
  private interface Encoder {
    byte[] write(ReprocessEvent event) throws IOException;
  }

  private static long read(List<byte[]> records, Decoder decoder) {
    long sum = 0;
    try {
      for (byte[] b : records) {
        sum += decoder.read(b).attempt();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sum;
  }

  private static long write(List<ReprocessEvent> events, Encoder encoder) {
    long n = 0;
    try {
      for (ReprocessEvent e : events) {
        n += encoder.write(e).length > 0 ? 1 : 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
