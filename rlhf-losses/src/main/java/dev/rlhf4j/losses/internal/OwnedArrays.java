package dev.rlhf4j.losses.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays built from Java data that own their memory: DJL 0.36's PyTorch engine builds them
 * without a copy over a buffer only the returned object keeps alive, so an index autograd keeps
 * for the backward pass would read freed memory (see {@code dev.rlhf4j.models.OwnedArrays}, which
 * this module cannot depend on). Stateless and thread-safe.
 */
public final class OwnedArrays {
  private OwnedArrays() {}

  /** A copy of {@code fresh} owning its memory, in the same manager; {@code fresh} is closed. */
  public static NDArray owned(NDArray fresh) {
    try (fresh) {
      return fresh.duplicate();
    }
  }

  /**
   * A 0-dimensional array of {@code like}'s data type and device, in its manager, owning its
   * memory: the scalar operand of a differentiable operation (DJL's own for {@code x.mul(2.0)}
   * is freed while autograd still needs it).
   */
  public static NDArray scalar(NDArray like, double value) {
    NDArray typed;
    if (like.getDataType() == DataType.FLOAT64) {
      try (NDArray raw = like.getManager().create(value)) {
        typed = raw.toType(DataType.FLOAT64, true);
      }
    } else {
      // one native call that allocates (no buffer to alias) instead of create + copy: this runs
      // for every norm and attention layer of every forward pass
      typed = like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
    if (!typed.getDevice().equals(like.getDevice())) {
      NDArray moved = typed.toDevice(like.getDevice(), true);
      typed.close();
      return moved;
    }
    return typed;
  }
}
