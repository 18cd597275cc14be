package dev.rlhf4j.reward.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Token id sequences padded to one length: {@code ids} and {@code attentionMask} ({@code [B,
 * T]}, int64, 1 for real tokens). Padding on the right leaves each row's last real token at
 * {@code length − 1}; padding on the left puts every row's last token at {@code T − 1}.
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
   * Pads {@code sequences} with {@code padId}.
   *
   * @throws IllegalArgumentException if there are no sequences or one is empty
   */
  public static PaddedBatch of(
      List<long[]> sequences, long padId, Side side, NDManager manager) {
    checkArgument(!sequences.isEmpty(), "a batch needs at least one sequence");
    int width = 0;
    for (long[] s : sequences) {
      checkArgument(s.length > 0, "every sequence needs at least one token");
      width = Math.max(width, s.length);
    }
    int rows = sequences.size();
    long[] ids = new long[rows * width];
    long[] mask = new long[rows * width];
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
    Shape shape = new Shape(rows, width);
    return new PaddedBatch(owned(manager.create(ids, shape)), owned(manager.create(mask, shape)));
  }
}
