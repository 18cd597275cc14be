package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Token-id sequences padded to the longest of them, as the arrays a {@link CausalLm} or {@link
 * SequenceClassifier} takes: {@code ids} and {@code attentionMask}, both {@code [B, T]} int64, the
 * mask 1 on real tokens and 0 on padding. This is rlhf4j's one padding routine: the trainers, the
 * DJL scoring models and (through {@link #onHost}) the ONNX Runtime scorer use it.
 *
 * <p>Padding on the {@link Side#RIGHT} leaves each row's tokens at {@code 0 .. length − 1}; padding
 * on the {@link Side#LEFT} puts every row's last token at {@code T − 1}.
 *
 * @param ids the padded ids, in the manager given to {@link #of}
 * @param attentionMask the mask, in the same manager
 */
public record PaddedBatch(NDArray ids, NDArray attentionMask) {

  /** Which side receives the padding. */
  public enum Side {
    /** Pad after the tokens. */
    RIGHT,
    /** Pad before the tokens: the last real token of every row is the last slot. */
    LEFT
  }

  /**
   * The padded ids and mask as Java arrays, row-major {@code [rows, width]}.
   *
   * @param rows the number of sequences
   * @param width the padded length: the longest sequence
   * @param ids the ids, {@code padId} in padded slots
   * @param mask 1 on real tokens, 0 on padding
   */
  public record Host(int rows, int width, long[] ids, long[] mask) {}

  /**
   * Pads {@code sequences} with {@code padId} into arrays of {@code manager} (and on its device);
   * the arrays own their memory (see {@link OwnedArrays}).
   *
   * @throws IllegalArgumentException if there are no sequences, or one is null or empty
   */
  public static PaddedBatch of(List<long[]> sequences, long padId, Side side, NDManager manager) {
    Host host = onHost(sequences, padId, side);
    Shape shape = new Shape(host.rows(), host.width());
    return new PaddedBatch(
        owned(manager.create(host.ids(), shape)), owned(manager.create(host.mask(), shape)));
  }

  /**
   * Pads {@code sequences} with {@code padId} into Java arrays, for engines that take their own
   * buffers.
   *
   * @throws IllegalArgumentException if there are no sequences, or one is null or empty, or the
   *     padded batch would exceed {@link Integer#MAX_VALUE} slots
   */
  public static Host onHost(List<long[]> sequences, long padId, Side side) {
    checkArgument(sequences != null && !sequences.isEmpty(), "a batch needs at least one sequence");
    checkArgument(side != null, "side must not be null");
    int width = 0;
    for (int i = 0; i < sequences.size(); i++) {
      long[] s = sequences.get(i);
      checkArgument(
          s != null && s.length > 0,
          "sequence %s is null or empty; every sequence needs at least one token",
          i);
      width = Math.max(width, s.length);
    }
    int rows = sequences.size();
    int size = Math.multiplyExact(rows, width);
    long[] ids = new long[size];
    long[] mask = new long[size];
    for (int r = 0; r < rows; r++) {
      long[] s = sequences.get(r);
      int offset = side == Side.RIGHT ? 0 : width - s.length;
      for (int c = 0; c < width; c++) {
        int k = c - offset;
        boolean real = k >= 0 && k < s.length;
        ids[r * width + c] = real ? s[k] : padId;
        mask[r * width + c] = real ? 1 : 0;
      }
    }
    return new Host(rows, width, ids, mask);
  }
}
