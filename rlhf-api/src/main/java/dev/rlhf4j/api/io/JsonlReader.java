package dev.rlhf4j.api.io;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhf4j.api.DataFormatException;
import dev.rlhf4j.api.Rlhf4jException;
import dev.rlhf4j.api.io.internal.JsonFields;
import dev.rlhf4j.api.io.internal.JsonSupport;
import dev.rlhf4j.api.io.internal.Utf8LineReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a JSONL file one line at a time, decoding each line with a {@link JsonlFormat}: an
 * {@link Iterator} (and, with {@link #stream()}, a {@link Stream}) that holds one line and one
 * record at a time, whatever the size of the file. Open one with {@link Jsonl#reader}.
 *
 * <p>The file must be UTF-8 (a leading byte-order mark is ignored). Lines end with {@code \n} or
 * {@code \r\n}; a {@code \r} alone (old Mac OS line breaks) ends the read with an error that says
 * so. A line longer than {@link ReadOptions#maxLineBytes()} (64 MiB by default) is a bad line; its
 * bytes are skipped, never held. Blank lines (empty or only whitespace), including the one after a final newline,
 * are skipped but counted, so line numbers in messages match an editor's.
 *
 * <p>A line that is not in the format (invalid JSON or UTF-8, not an object, a missing or wrong
 * field) either ends the read with a {@link DataFormatException} such as {@code pairs.jsonl:412:
 * 'chosen' must be a list of messages, got a string} (the default), or, with {@link
 * ReadOptions#skipBadLines()}, is skipped and counted: {@link #skippedLines()} and {@link
 * #skippedErrors()} (the first few) tell what was skipped, and one WARN line sums it up when the
 * reader is done.
 *
 * <p>The reader closes its file when it reaches the end, when a bad line ends the read and when
 * {@link #close()} is called, whichever comes first; close it (or the stream) with
 * try-with-resources to release the file early. Not thread-safe.
 *
 * @param <T> the record type
 */
public final class JsonlReader<T> implements Iterator<T>, Closeable {
  private static final Logger log = LoggerFactory.getLogger(JsonlReader.class);

  private final Path file;
  private final JsonlFormat<T> format;
  private final ReadOptions options;
  private final List<DataFormatException> skippedErrors = new ArrayList<>();
  private Utf8LineReader in;
  private long lineNumber;
  private long records;
  private long skipped;
  private T next;
  private boolean finished;

  private JsonlReader(Path file, JsonlFormat<T> format, ReadOptions options, Utf8LineReader in) {
    this.file = file;
    this.format = format;
    this.options = options;
    this.in = in;
  }

  /**
   * Opens {@code file}.
   *
   * @throws IllegalArgumentException if an argument is null
   * @throws Rlhf4jException if the file does not exist or cannot be opened
   */
  static <T> JsonlReader<T> open(Path file, JsonlFormat<T> format, ReadOptions options) {
    checkArgument(file != null, "file must not be null");
    checkArgument(format != null, "format must not be null");
    checkArgument(options != null, "options must not be null");
    try {
      return new JsonlReader<>(file, format, options, new Utf8LineReader(Files.newInputStream(file), options.maxLineBytes()));
    } catch (NoSuchFileException e) {
      throw new Rlhf4jException("cannot read " + file + ": no such file", e);
    } catch (IOException e) {
      throw new Rlhf4jException("cannot read " + file + ": " + e, e);
    }
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The format lines are decoded with. */
  public JsonlFormat<T> format() {
    return format;
  }

  /**
   * Whether another record follows.
   *
   * @throws DataFormatException if the next non-blank line is bad and bad lines are not skipped
   * @throws Rlhf4jException if the file cannot be read
   */
  @Override
  public boolean hasNext() {
    if (next == null && !finished) {
      next = advance();
    }
    return next != null;
  }

  /**
   * The next record.
   *
   * @throws NoSuchElementException if there is none
   * @throws DataFormatException if the next non-blank line is bad and bad lines are not skipped
   * @throws Rlhf4jException if the file cannot be read
   */
  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more " + format.name() + "s in " + file);
    }
    T result = next;
    next = null;
    return result;
  }

  /**
   * The remaining records as a sequential stream; closing the stream closes this reader. Nothing
   * is read before the stream's terminal operation pulls it.
   */
  public Stream<T> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /** How many lines have been read so far, blank and bad ones included. */
  public long linesRead() {
    return lineNumber;
  }

  /** How many records have been decoded so far (including one {@link #hasNext()} looked ahead at). */
  public long recordsRead() {
    return records;
  }

  /** How many bad lines were skipped so far; always 0 unless bad lines are skipped. */
  public long skippedLines() {
    return skipped;
  }

  /** The errors of the first skipped lines, at most {@link ReadOptions#keptErrors()}. */
  public List<DataFormatException> skippedErrors() {
    return List.copyOf(skippedErrors);
  }

  /** Closes the file; idempotent. The first call logs the WARN summary of skipped lines, if any. */
  @Override
  public void close() {
    finished = true;
    next = null;
    if (in == null) {
      return;
    }
    Utf8LineReader open = in;
    in = null;
    try {
      open.close();
    } catch (IOException e) {
      log.debug("closing {} failed", file, e);
    }
    if (skipped > 0) {
      log.warn(
          "{}: skipped {} bad line(s) of {} read, kept {} {}(s); first: {}",
          file.getFileName(),
          skipped,
          lineNumber,
          records,
          format.name(),
          skippedErrors.isEmpty() ? "(not kept)" : skippedErrors.get(0).getMessage());
    }
  }

  private T advance() {
    while (true) {
      String line;
      try {
        line = in.readLine();
      } catch (Utf8LineReader.LineTooLongException e) {
        lineNumber++;
        skipOrThrow(
            new DataFormatException(
                file, lineNumber, null,
                "line is longer than the limit of " + options.maxLineBytes() + " bytes"
                    + " (ReadOptions.maxLineBytes); raise the limit if such lines are intended",
                e));
        continue;
      } catch (Utf8LineReader.CarriageReturnException e) {
        close();
        throw new DataFormatException(
            file, lineNumber + 1, null,
            "carriage return without a line feed at byte " + e.column() + ": the file has"
                + " old Mac OS (CR-only) line breaks; JSONL lines must end with \\n or \\r\\n,"
                + " convert it first (for example: tr '\\r' '\\n' < in.jsonl > out.jsonl)",
            e);
      } catch (CharacterCodingException e) {
        lineNumber++;
        skipOrThrow(
            new DataFormatException(
                file, lineNumber, null, "line is not valid UTF-8; save the file as UTF-8", e));
        continue;
      } catch (IOException e) {
        close();
        throw new Rlhf4jException("cannot read " + file + " after line " + lineNumber + ": " + e, e);
      }
      if (line == null) {
        close();
        return null;
      }
      lineNumber++;
      if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        T record = decode(line);
        records++;
        return record;
      } catch (DataFormatException e) {
        skipOrThrow(e);
      }
    }
  }

  /** Counts a skipped line, or closes the reader and throws {@code e} when lines are not skipped. */
  private void skipOrThrow(DataFormatException e) {
    if (!options.skipBadLines()) {
      close();
      throw e;
    }
    skipped++;
    if (skippedErrors.size() < options.keptErrors()) {
      skippedErrors.add(e);
    }
  }

  private T decode(String line) {
    JsonNode node;
    try {
      node = JsonSupport.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at column " + at.getColumnNr();
      throw new DataFormatException(
          file, lineNumber, null, "invalid JSON" + where + ": " + e.getOriginalMessage(), e);
    }
    if (!node.isObject()) {
      throw new DataFormatException(
          file,
          lineNumber,
          null,
          "line must be a JSON object (a " + format.name() + "), got "
              + JsonFields.typeName(node));
    }
    try {
      return format.decode((ObjectNode) node);
    } catch (InvalidFieldException e) {
      throw new DataFormatException(file, lineNumber, e.field().orElse(null), e.problem(), e);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(file, lineNumber, null, e.getMessage(), e);
    }
  }
}
