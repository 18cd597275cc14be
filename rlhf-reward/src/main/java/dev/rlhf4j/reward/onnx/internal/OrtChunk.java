package dev.rlhf4j.reward.onnx.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.models.PaddedBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A chunk of token-id sequences padded to a common length, in direct native-order buffers that
 * ONNX Runtime reads without copying: {@code ids} and {@code mask} are {@code [rows, length]}
 * row-major, the mask 1 on tokens and 0 on padding.
 *
 * @param rows the indices of the sequences, in the caller's list, that this chunk holds, in row
 *     order
 * @param length the padded length (the longest sequence of the chunk)
 * @param ids the padded ids
 * @param mask the attention mask
 */
public record OrtChunk(List<Integer> rows, int length, LongBuffer ids, LongBuffer mask) {

  /** Validates the record. */
  public OrtChunk {
    rows = List.copyOf(rows);
  }

  /** The shape {@code [rows, length]}. */
  public long[] shape() {
    return new long[] {rows.size(), length};
  }

  /**
   * Splits {@code sequences} into chunks of at most {@code maxRows} sequences of similar length:
   * the indices sorted by length, so a padded chunk wastes little on padding. Pad each chunk
   * with {@link #pad} just before it is run, so only one chunk's buffers are alive at a time.
   *
   * @throws IllegalArgumentException if a sequence is null or empty, or {@code maxRows <= 0}
   */
  public static List<List<Integer>> chunks(List<long[]> sequences, int maxRows) {
    checkArgument(maxRows > 0, "maxRows must be > 0 but was %s", maxRows);
    for (int i = 0; i < sequences.size(); i++) {
      checkArgument(
          sequences.get(i) != null && sequences.get(i).length > 0,
          "sequence %s is null or empty; every sequence needs at least one token",
          i);
    }
    List<Integer> order =
        IntStream.range(0, sequences.size())
            .boxed()
            .sorted(Comparator.comparingInt(i -> sequences.get(i).length))
            .toList();
    List<List<Integer>> chunks = new ArrayList<>();
    for (int from = 0; from < order.size(); from += maxRows) {
      chunks.add(order.subList(from, Math.min(order.size(), from + maxRows)));
    }
    return chunks;
  }

  /**
   * Pads the sequences at {@code rows} to the longest of them, with {@link PaddedBatch#onHost}.
   *
   * @param padLeft whether padding goes before the tokens
   * @param padId the id written into padded slots
   */
  public static OrtChunk pad(
      List<long[]> sequences, List<Integer> rows, boolean padLeft, long padId) {
    List<long[]> selected = rows.stream().map(sequences::get).toList();
    PaddedBatch.Host host =
        PaddedBatch.onHost(
            selected, padId, padLeft ? PaddedBatch.Side.LEFT : PaddedBatch.Side.RIGHT);
    return new OrtChunk(rows, host.width(), direct(host.ids()), direct(host.mask()));
  }

  private static LongBuffer direct(long[] values) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(values.length, 8))
        .order(ByteOrder.nativeOrder())
        .asLongBuffer()
        .put(values)
        .flip();
  }
}
