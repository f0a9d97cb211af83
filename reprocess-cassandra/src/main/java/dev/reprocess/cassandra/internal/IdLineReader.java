package dev.reprocess.cassandra.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import dev.reprocess.internal.Quote;
import java.util.Arrays;

/**
 * Reads ids from a UTF-8 text file, one per line; surrounding blanks are trimmed, blank lines and
 * lines starting with {@code #} are skipped. It knows the byte offset and line number of each id,
 * so a chunk of the file can be read again from its first id without reading what comes before.
 * A line longer than the longest id allowed is refused with its line number, without being held in
 * memory whole.
 *
 * <p>Not thread-safe.
 */
public final class IdLineReader implements Closeable {
  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private int length;
  private int pos;
  private long bufferOffset;
  private long lineNumber;
  private long idOffset = -1;
  private long idLine;
  private boolean eof;
  private byte[] line = new byte[256];
  /** Characters of a too-long line quoted in the error. */
  private static final int EXCERPT_CHARS = 100;
  private final int maxIdChars;
  /** Bytes of a line kept at most: a longer line is too long whatever its characters. */
  private final int maxLineBytes;
  private long lineBytes;

  /**
   * Opens {@code file} at {@code offset}, the start of a line, counting lines from {@code firstLine}.
   *
   * @param maxIdChars the longest id, in characters; a longer line makes {@link #nextId} throw
   */
  public IdLineReader(Path file, long offset, long firstLine, int maxIdChars) throws IOException {
    this.maxIdChars = maxIdChars;
    // UTF-8 takes up to 4 bytes a character; leave room for surrounding blanks.
    this.maxLineBytes = (int) Math.min(Integer.MAX_VALUE - 8, 4L * maxIdChars + 1024);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      channel.position(offset);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    this.in = Channels.newInputStream(channel);
    this.bufferOffset = offset;
    this.lineNumber = firstLine - 1;
  }

  /**
   * The next id, or {@code null} at the end of the file.
   *
   * @throws LineTooLongException if the line is longer than {@code maxIdChars} (once
   *     stripped): {@code line N is longer than M characters (X bytes): 'excerpt...'}
   */
  public String nextId() throws IOException {
    while (true) {
      long start = bufferOffset + pos;
      int n = readLine();
      if (n < 0) {
        return null;
      }
      lineNumber++;
      String text = new String(line, 0, n, StandardCharsets.UTF_8).strip();
      if (lineBytes > n || text.length() > maxIdChars) {
        throw new LineTooLongException("line " + lineNumber + " is longer than " + maxIdChars + " characters ("
            + lineBytes + " bytes): '" + Quote.excerpt(text, EXCERPT_CHARS) + "'");
      }
      if (!text.isEmpty() && text.charAt(0) != '#') {
        idOffset = start;
        idLine = lineNumber;
        return text;
      }
    }
  }

  /** The byte offset of the line of the last id returned. */
  public long idOffset() {
    return idOffset;
  }

  /** The line number (1-based) of the last id returned. */
  public long idLine() {
    return idLine;
  }

  /** Reads one line (without its end) into {@code line}; its length, or -1 at the end. */
  private int readLine() throws IOException {
    int n = 0;
    lineBytes = 0;
    boolean any = false;
    while (true) {
      if (pos == length) {
        if (eof || !fill()) {
          return any ? n : -1;
        }
      }
      any = true;
      byte b = buffer[pos++];
      if (b == '\n') {
        return n;
      }
      lineBytes++;
      if (n == maxLineBytes) {
        continue; // too long: count it, keep none of the rest
      }
      if (n == line.length) {
        line = Arrays.copyOf(line, n * 2);
      }
      line[n++] = b;
    }
  }

  private boolean fill() throws IOException {
    bufferOffset += length;
    pos = 0;
    length = 0;
    int r = in.read(buffer);
    if (r <= 0) {
      eof = true;
      return false;
    }
    length = r;
    return true;
  }

  /** A line longer than the longest id allowed; the message gives its number, size and an excerpt. */
  public static final class LineTooLongException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(String message) {
      super(message);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
