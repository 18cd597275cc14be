package dev.rlhf4j.losses.internal;

import ai.djl.ndarray.NDArray;

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
}
