package dev.rlhf4j.api.io;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a {@link JsonlReader} treats a bad line.
 *
 * @param skipBadLines false to fail on the first bad line with a {@link
 *     dev.rlhf4j.api.DataFormatException} (the default); true to skip bad lines, count them, keep
 *     the first few errors and log one WARN summary when the reader is done
 * @param keptErrors how many of the skipped lines' errors the reader keeps (the first ones), from 0
 *     to 1000
 * @param maxLineBytes the longest line, in UTF-8 bytes without its terminator, the reader accepts
 *     (default {@value #DEFAULT_MAX_LINE_BYTES}, 64 MiB): a longer line is a bad line ({@code
 *     file:line: line is longer than ...}); its bytes are skipped, never held in memory, so a
 *     damaged or hostile file cannot exhaust the heap
 */
public record ReadOptions(boolean skipBadLines, int keptErrors, int maxLineBytes) {
  /** The default {@link #maxLineBytes()}: 64 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;

  private static final int DEFAULT_KEPT_ERRORS = 10;
  private static final int MAX_KEPT_ERRORS = 1000;

  /**
   * @throws IllegalArgumentException if keptErrors is outside [0, 1000] or maxLineBytes outside
   *     [1, 2^31 - 9]
   */
  public ReadOptions {
    checkArgument(
        keptErrors >= 0 && keptErrors <= MAX_KEPT_ERRORS,
        "keptErrors must be in [0, %s] but was %s",
        MAX_KEPT_ERRORS,
        keptErrors);
    checkArgument(
        maxLineBytes >= 1 && maxLineBytes <= Integer.MAX_VALUE - 8,
        "maxLineBytes must be in [1, %s] but was %s",
        Integer.MAX_VALUE - 8,
        maxLineBytes);
  }

  /** These settings with lines of at most {@value #DEFAULT_MAX_LINE_BYTES} bytes. */
  public ReadOptions(boolean skipBadLines, int keptErrors) {
    this(skipBadLines, keptErrors, DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * These options with another line limit.
   *
   * @throws IllegalArgumentException if maxLineBytes is outside [1, 2^31 - 9]
   */
  public ReadOptions withMaxLineBytes(int maxLineBytes) {
    return new ReadOptions(skipBadLines, keptErrors, maxLineBytes);
  }

  /** Fail on the first bad line (the default). */
  public static ReadOptions strict() {
    return new ReadOptions(false, DEFAULT_KEPT_ERRORS);
  }

  /** Skip bad lines, keeping the first 10 errors. */
  public static ReadOptions skippingBadLines() {
    return new ReadOptions(true, DEFAULT_KEPT_ERRORS);
  }
}
