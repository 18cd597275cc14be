package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Makes arrays built from Java data own their memory.
 *
 * <p>DJL 0.36's PyTorch engine builds {@code manager.create(float[] / int[] / long[] / boolean[]
 * ...)} without a copy: the tensor reads a direct {@code ByteBuffer} that only the returned
 * {@code NDArray} object keeps alive. A view of it ({@code reshape}, {@code get}, {@code
 * expandDims}, an index kept by autograd for the backward pass, ...) that outlives that object
 * reads freed memory once the garbage collector releases the buffer: values change at random,
 * depending on when the collector runs (measured: 2,000 of 2,000 such views corrupted after a
 * few collections). Every array rlhf4j builds from Java data goes through {@link #owned} first.
 *
 * <p>The same holds for the scalar operand DJL builds for {@code x.mul(2.0)}, {@code
 * x.div(n)}, {@code x.pow(3)} or {@code x.maximum(0)}: autograd keeps it for the backward pass,
 * which then reads freed memory (measured: 17 of 300 gradients of {@code x.mul(3f)} wrong when
 * the collector ran between forward and backward). Scalar operands of differentiable operations
 * are built with {@link #scalar} instead.
 *
 * <p>Stateless and thread-safe.
 */
public final class OwnedArrays {
  private OwnedArrays() {}

  /**
   * A copy of {@code fresh} that owns its memory, in the same manager; {@code fresh} is closed.
   *
   * @throws IllegalArgumentException if fresh is null
   */
  public static NDArray owned(NDArray fresh) {
    checkArgument(fresh != null, "fresh must not be null");
    try (fresh) {
      return fresh.duplicate();
    }
  }

  /**
   * A 0-dimensional array holding {@code value}, of {@code like}'s data type and device and in
   * its manager, owning its memory: the scalar operand of a differentiable operation on {@code
   * like}.
   *
   * @throws IllegalArgumentException if like is null
   */
  public static NDArray scalar(NDArray like, double value) {
    checkArgument(like != null, "like must not be null");
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
