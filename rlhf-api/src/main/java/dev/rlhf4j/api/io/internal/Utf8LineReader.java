package dev.rlhf4j.api.io.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines at {@code \n} (a {@code \r} before it is dropped) and decodes each
 * line as strict UTF-8 on its own, so that a line that is not UTF-8 is reported with its own number
 * and the lines after it can still be read. Holds one line at a time, of at most {@code
 * maxLineBytes}: the bytes of a longer line are skipped without being stored. A {@code \r} not
 * followed by {@code \n} (old Mac OS line breaks) is reported as soon as it is met, rather than
 * reading the whole file as one line. Not thread-safe.
 */
public final class Utf8LineReader implements Closeable {
  /** The longest line a Java array can hold. */
  public static final int MAX_LINE_BYTES = Integer.MAX_VALUE - 8;

  /** A line longer than the limit; it has been consumed, the next call reads the line after. */
  public static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(long bytes, int limit) {
      super("line has " + bytes + " bytes, more than the limit of " + limit);
    }
  }

  /** A {@code \r} that is not followed by {@code \n}: the file uses CR-only line breaks. */
  public static final class CarriageReturnException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long column;

    CarriageReturnException(long column) {
      super("carriage return without a line feed at byte " + column + " of the line");
      this.column = column;
    }

    /** The 1-based byte column of the {@code \r} in its line. */
    public long column() {
      return column;
    }
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] chunk = new byte[1 << 16];
  private int pos;
  private int limit;
  private byte[] line = new byte[1 << 10];
  private int length;
  private long total;
  private boolean overflow;

  /** Reads from {@code in}, which this reader closes, lines of any length a Java array holds. */
  public Utf8LineReader(InputStream in) {
    this(in, MAX_LINE_BYTES);
  }

  /** Reads from {@code in}, which this reader closes, lines of at most {@code maxLineBytes}. */
  public Utf8LineReader(InputStream in, int maxLineBytes) {
    if (maxLineBytes < 1 || maxLineBytes > MAX_LINE_BYTES) {
      throw new IllegalArgumentException(
          "maxLineBytes must be in [1, " + MAX_LINE_BYTES + "] but was " + maxLineBytes);
    }
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * The next line without its terminator, or null at the end of the input. A final line without a
   * terminator is returned; a final terminator does not start another line.
   *
   * @throws CharacterCodingException if the line is not valid UTF-8; the line has been consumed and
   *     the next call reads the line after it
   * @throws LineTooLongException if the line has more than {@code maxLineBytes} bytes; the line has
   *     been consumed (without storing it) and the next call reads the line after it
   * @throws CarriageReturnException at a {@code \r} not followed by {@code \n}
   * @throws IOException if reading fails
   */
  public String readLine() throws IOException {
    length = 0;
    total = 0;
    overflow = false;
    boolean any = false;
    boolean pendingCr = false;
    while (true) {
      if (pos == limit) {
        int n = in.read(chunk, 0, chunk.length);
        if (n <= 0) {
          pos = 0;
          limit = 0;
          if (!any) {
            return null;
          }
          break; // a final "\r" counts as the end of the last line
        }
        pos = 0;
        limit = n;
      }
      any = true;
      if (pendingCr) {
        if (chunk[pos] != '\n') {
          throw new CarriageReturnException(total + 1);
        }
        pos++;
        break;
      }
      int start = pos;
      while (pos < limit && chunk[pos] != '\n' && chunk[pos] != '\r') {
        pos++;
      }
      append(start, pos - start);
      if (pos < limit) {
        if (chunk[pos] == '\n') {
          pos++;
          break;
        }
        pos++;
        if (pos == limit) {
          pendingCr = true;
          continue;
        }
        if (chunk[pos] != '\n') {
          throw new CarriageReturnException(total + 1);
        }
        pos++;
        break;
      }
    }
    if (overflow) {
      throw new LineTooLongException(total, maxLineBytes);
    }
    decoder.reset();
    return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
  }

  private void append(int from, int count) {
    total += count;
    long needed = (long) length + count;
    if (overflow || needed > maxLineBytes) {
      overflow = true;
      // too long: the rest of the line is only counted, and readLine reports it at its end
      return;
    }
    if (needed > line.length) {
      line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(2L * line.length, needed)));
    }
    System.arraycopy(chunk, from, line, length, count);
    length += count;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
