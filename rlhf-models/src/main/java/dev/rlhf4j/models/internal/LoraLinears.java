package dev.rlhf4j.models.internal;

import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The low-rank updates a backbone adds to its linear layers (LoRA, Hu et al. 2021): for a layer
 * named {@code module} with {@code A [r, in]} and {@code B [out, r]}, the layer's output gains
 * {@code scale · dropout(x) Aᵀ Bᵀ}. A backbone asks {@link #delta} at every linear layer; the
 * holder is empty until an adapter is attached, and can be switched off (the DPO reference).
 *
 * <p>Attaching, detaching and switching are not synchronised with forward passes: callers do
 * them between passes.
 */
public final class LoraLinears {

  /** One adapted layer: {@code A [r, in]}, {@code B [out, r]}, the scale α/r. */
  public record Pair(NDArray a, NDArray b, double scale) {}

  private volatile Map<String, Pair> pairs = Map.of();
  private volatile boolean enabled = true;
  private volatile double dropout;
  private volatile boolean training;

  /** Attaches {@code byModule} (module name → pair), replacing any earlier set. */
  public void attach(Map<String, Pair> byModule, double dropoutRate) {
    this.pairs = Map.copyOf(byModule);
    this.dropout = dropoutRate;
    this.enabled = true;
  }

  /** Removes every pair (the arrays stay with their owner). */
  public void detach() {
    this.pairs = Map.of();
  }

  /** Switches the updates on or off without removing them. */
  public void setEnabled(boolean on) {
    this.enabled = on;
  }

  /** Whether the updates apply. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Whether dropout applies (training) or not (evaluation, sampling). */
  public void setTraining(boolean on) {
    this.training = on;
  }

  /** Whether dropout applies. */
  public boolean isTraining() {
    return training;
  }

  /**
   * The update for {@code module} applied to {@code x} ({@code [..., in]} → {@code [..., out]},
   * in x's manager), or null when the layer is not adapted or the adapter is off.
   */
  NDArray delta(String module, NDArray x) {
    if (!enabled) {
      return null;
    }
    Pair pair = pairs.get(module);
    if (pair == null) {
      return null;
    }
    NDArray input = x;
    if (training && dropout > 0) {
      input = x.getNDArrayInternal().dropout(x, (float) dropout, true).singletonOrThrow();
    }
    // the scale multiplies the rank-sized intermediate, not the layer-sized update: the same
    // values and gradients, without an [..., out] temporary per adapted layer
    NDArray down = Ops.linear(input, pair.a(), null);
    // the scale is an operand autograd keeps for the backward pass: it must own its memory
    // (OwnedArrays), or the gradients read a buffer the garbage collector may already have freed
    return Ops.linear(down.mul(scalar(down, pair.scale())), pair.b(), null);
  }

  /** {@code base} plus the update of {@code module} on {@code x}, if any. */
  NDArray plus(NDArray base, String module, NDArray x) {
    NDArray d = delta(module, x);
    return d == null ? base : base.add(d);
  }
}
