package dev.reprocess.deadletter;

import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends dead letters to a file as JSON lines: one {@link EventJson#deadLetterToBytes} object per
 * line, UTF-8. Each {@link #accept} appends and forces the line to disk before returning, so an
 * accepted dead letter survives a crash. Read them back (for a replay) with {@link #read(Path)}.
 *
 * <p>Thread-safe: lines from concurrent calls never interleave. The file and its parent
 * directories are created on the first dead letter (the constructor does no I/O); an existing file
 * is appended to. {@link #close()} closes the file; closing twice is harmless; accept after close
 * reopens it.
 */
public final class FileDeadLetterSink implements DeadLetterSink {

  private final Path file;
  private FileChannel channel;

  /** @param file the JSON-lines file */
  public FileDeadLetterSink(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The JSON-lines file. */
  public Path file() {
    return file;
  }

  /**
   * The preflight: the file (or, when missing, its nearest existing parent directory) must be
   * writable; nothing is written. Throws {@link IllegalStateException} naming the file.
   */
  @Override
  public void preflight() {
    dev.reprocess.internal.WritablePath.check(file, "dead-letter file");
  }

  @Override
  public synchronized void accept(DeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter");
    byte[] json = EventJson.deadLetterToBytes(deadLetter);
    ByteBuffer buf = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
    try {
      if (channel == null) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
      }
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new ReprocessException("job '" + deadLetter.event().jobName()
          + "': cannot append dead letter of asset " + deadLetter.event().assetId() + " to "
          + file + ": " + e, e);
    }
  }

  /**
   * Reads every dead letter of a JSON-lines file written by this sink.
   *
   * @return the dead letters in file order; empty if the file does not exist
   * @throws IllegalArgumentException if a line is not a dead letter
   * @throws ReprocessException if the file cannot be read
   */
  public static List<DeadLetter> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new ReprocessException("cannot read dead letters from " + file + ": " + e, e);
    }
    List<DeadLetter> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      if (!line.isBlank()) {
        out.add(EventJson.deadLetterFromBytes(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  @Override
  public String describe() {
    return "file " + file.toAbsolutePath();
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        throw new ReprocessException("cannot close dead-letter file " + file + ": " + e, e);
      } finally {
        channel = null;
      }
    }
  }
}
