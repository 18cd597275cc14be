package dev.rlhf4j.models.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.OptionalInt;

/**
 * The additive attention bias shared by every layer of one forward pass: 0 where query slot
 * {@code past + i} may attend key slot {@code j}, {@code -1e9} elsewhere. A key is visible when
 * its attention-mask entry is 1 (padding on either side is hidden), it is not in the future
 * ({@code j <= past + i}) and, with a sliding window {@code w}, it is among the last {@code w}
 * slots ({@code past + i - j < w}).
 *
 * <p>A finite large negative value, not -inf, keeps rows with no visible key (queries at padded
 * slots) finite; their outputs are meaningless and are never read.
 */
public final class AttentionBias {
  static final double MASKED = -1e9;

  private AttentionBias() {}

  /**
   * Builds the {@code [B, 1, T, past + T]} bias in {@code scope}.
   *
   * @param mask the {@code [B, past + T]} int64 attention mask, in {@code scope}
   */
  public static NDArray build(
      NDArray mask, int past, int t, OptionalInt slidingWindow, DataType dataType,
      NDManager scope) {
    int s = past + t;
    long b = mask.getShape().get(0);
    NDArray query = scope.arange(past, s, 1, DataType.INT64).reshape(t, 1);
    NDArray key = scope.arange(0, s, 1, DataType.INT64).reshape(1, s);
    NDArray allowed = key.lte(query);
    if (slidingWindow.isPresent()) {
      allowed = allowed.logicalAnd(key.gt(query.sub(slidingWindow.getAsInt())));
    }
    NDArray visible = mask.gt(0).reshape(b, 1, 1, s).logicalAnd(allowed.reshape(1, 1, t, s));
    return visible.toType(dataType, false).sub(1).mul(-MASKED);
  }

  /**
   * Builds the {@code [B, 1, T, T]} bias of packed rows in {@code scope}: several sequences that
   * share a prefix laid out in one row, each slot tagged with a segment. Query slot {@code i} may
   * attend key slot {@code j} when {@code j <= i}, the key is not padding (segment {@code < 0}),
   * and the key is in the shared segment 0 or in the query's own segment. With a sliding window
   * {@code w}, the distance is measured in positions, not slots: {@code pos[i] - pos[j] < w}.
   *
   * @param positions the {@code [B, T]} int64 position ids, in {@code scope}
   * @param segments the {@code [B, T]} int64 segments: -1 padding, 0 shared, k > 0 branch k
   */
  public static NDArray packed(
      NDArray positions, NDArray segments, OptionalInt slidingWindow, DataType dataType,
      NDManager scope) {
    long b = segments.getShape().get(0);
    int t = Math.toIntExact(segments.getShape().get(1));
    NDArray query = scope.arange(0, t, 1, DataType.INT64).reshape(t, 1);
    NDArray key = scope.arange(0, t, 1, DataType.INT64).reshape(1, t);
    NDArray causal = key.lte(query).reshape(1, 1, t, t);
    NDArray keySeg = segments.reshape(b, 1, 1, t);
    NDArray querySeg = segments.reshape(b, 1, t, 1);
    NDArray visible =
        causal
            .logicalAnd(keySeg.gte(0))
            .logicalAnd(keySeg.eq(0).logicalOr(keySeg.eq(querySeg)));
    if (slidingWindow.isPresent()) {
      NDArray distance = positions.reshape(b, 1, t, 1).sub(positions.reshape(b, 1, 1, t));
      visible = visible.logicalAnd(distance.lt(slidingWindow.getAsInt()));
    }
    return visible.toType(dataType, false).sub(1).mul(-MASKED);
  }
}
