package dev.rlhf4j.models.internal;

import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;

/** The tensor operations the backbones are made of; each result lives with its first operand. */
final class Ops {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  private Ops() {}

  /** {@code x W^T + b} for a PyTorch-layout weight {@code [out, in]}; {@code bias} may be null. */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  /** {@code x W + b} for a GPT-2 Conv1D weight stored {@code [in, out]}. */
  static NDArray conv1d(NDArray x, NDArray weight, NDArray bias) {
    return x.matMul(weight).add(bias);
  }

  /** Rows of {@code table} picked by the int64 {@code ids}. */
  static NDArray embedding(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /** RMSNorm: {@code w · x / sqrt(mean(x²) + eps)} over the last axis. */
  static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    NDArray meanSquare = x.square().mean(new int[] {-1}, true);
    return x.mul(meanSquare.add(eps).pow(scalar(x, -0.5))).mul(weight);
  }

  /** LayerNorm over the last axis with scale and shift. */
  static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
    Shape normalized = new Shape(x.getShape().tail());
    return x.getNDArrayInternal()
        .layerNorm(x, normalized, weight, bias, (float) eps)
        .singletonOrThrow();
  }

  /** SiLU: {@code x · sigmoid(x)}. */
  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /** GPT-2's tanh approximation of GELU ({@code gelu_new}). */
  static NDArray geluTanh(NDArray x) {
    NDArray inner = x.add(x.pow(scalar(x, 3)).mul(scalar(x, 0.044715))).mul(scalar(x, SQRT_2_OVER_PI));
    return x.mul(scalar(x, 0.5)).mul(inner.tanh().add(1));
  }

  /**
   * Scaled dot-product attention with grouped-query heads, without copying keys or values per
   * query head: the {@code g = heads / kvHeads} query heads that share a key/value head are
   * folded into the query axis.
   *
   * @param q {@code [B, H, T, D]}
   * @param k {@code [B, KV, S, D]}
   * @param v {@code [B, KV, S, D]}
   * @param bias {@code [B, 1, T, S]}: 0 where attention is allowed, a large negative number
   *     elsewhere
   * @return {@code [B, T, H·D]}
   */
  static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, double scale) {
    Shape qs = q.getShape();
    long b = qs.get(0);
    long h = qs.get(1);
    long t = qs.get(2);
    long d = qs.get(3);
    long kv = k.getShape().get(1);
    long s = k.getShape().get(2);
    long groups = h / kv;
    // scaling the queries ([B, H, T, D]) rather than the scores ([B, H, T, S]) saves a
    // score-sized array in the forward and in the backward pass
    NDArray scores =
        q.mul(scalar(q, scale))
            .reshape(b, kv, groups * t, d)
            .matMul(k.transpose(0, 1, 3, 2))
            .reshape(b, h, t, s);
    // in place: the unbiased scores are needed by nothing (the matrix product's backward reads
    // its inputs, not its output), so a second score-sized array is never allocated
    scores.addi(bias);
    NDArray probs = scores.softmax(-1);
    NDArray out = probs.reshape(b, kv, groups * t, s).matMul(v).reshape(b, h, t, d);
    return out.transpose(0, 2, 1, 3).reshape(b, t, h * d);
  }

  /** {@code [B, T, heads·dim]} to {@code [B, heads, T, dim]}. */
  static NDArray splitHeads(NDArray x, long heads, long dim) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, dim).transpose(0, 2, 1, 3);
  }

  /** Hugging Face's rotate-half: {@code [x1, x2] -> [-x2, x1]} over the last axis. */
  static NDArray rotateHalf(NDArray x) {
    long half = x.getShape().getLastDimension() / 2;
    NDArray first = x.get(new NDIndex("..., :{}", half));
    NDArray second = x.get(new NDIndex("..., {}:", half));
    return NDArrays.concat(new NDList(second.neg(), first), -1);
  }
}
