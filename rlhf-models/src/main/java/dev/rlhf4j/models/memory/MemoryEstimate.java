package dev.rlhf4j.models.memory;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * An estimate of the peak memory of one training step or one generation, in bytes, by part.
 *
 * @param weights the parameters of every model held (the trained one and any frozen reference)
 * @param gradients the gradient buffers of the trainable parameters
 * @param optimizerState the optimiser's state of the trainable parameters (AdamW: two float32
 *     moments each)
 * @param activations what autograd keeps for the backward pass of one micro-batch (0 without
 *     gradients: then the largest single layer's intermediates)
 * @param vocabularyProjection the logits and log-softmax of the projected positions
 * @param kvCache the key/value cache of a generation (0 for training)
 * @param runtime the engine's own footprint (JVM heap in use, native libraries, allocator slack)
 */
public record MemoryEstimate(
    long weights,
    long gradients,
    long optimizerState,
    long activations,
    long vocabularyProjection,
    long kvCache,
    long runtime) {

  private static final double GIB = 1024.0 * 1024 * 1024;

  /** Validates that every part is {@code >= 0}. */
  public MemoryEstimate {
    checkArgument(weights >= 0, "weights must be >= 0 bytes but was %s", weights);
    checkArgument(gradients >= 0, "gradients must be >= 0 bytes but was %s", gradients);
    checkArgument(
        optimizerState >= 0, "optimizerState must be >= 0 bytes but was %s", optimizerState);
    checkArgument(activations >= 0, "activations must be >= 0 bytes but was %s", activations);
    checkArgument(
        vocabularyProjection >= 0,
        "vocabularyProjection must be >= 0 bytes but was %s",
        vocabularyProjection);
    checkArgument(kvCache >= 0, "kvCache must be >= 0 bytes but was %s", kvCache);
    checkArgument(runtime >= 0, "runtime must be >= 0 bytes but was %s", runtime);
  }

  /** The sum of every part, in bytes. */
  public long total() {
    return weights + gradients + optimizerState + activations + vocabularyProjection + kvCache
        + runtime;
  }

  /** Whether {@link #total()} is at most {@code availableBytes}. */
  public boolean fitsIn(long availableBytes) {
    return total() <= availableBytes;
  }

  /**
   * One line per part and the total, in GiB with two decimals, e.g. {@code "weights 1.84 GiB,
   * gradients 1.84 GiB, ..., total 9.12 GiB"}.
   */
  public String breakdown() {
    return String.format(
        Locale.ROOT,
        "weights %s, gradients %s, optimizer state %s, activations %s, vocabulary projection %s,"
            + " KV cache %s, runtime %s, total %s",
        gib(weights),
        gib(gradients),
        gib(optimizerState),
        gib(activations),
        gib(vocabularyProjection),
        gib(kvCache),
        gib(runtime),
        gib(total()));
  }

  /** {@code bytes} in GiB with two decimals and the unit. */
  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
  }

  /**
   * {@code bytes} rounded up as the refusal message prints it: whole GiB from 10 GiB, GiB with
   * one decimal from 1 GiB, whole MiB below.
   */
  static String approx(long bytes) {
    double gib = bytes / GIB;
    if (gib >= 10) {
      return String.format(Locale.ROOT, "%d GiB", (long) Math.ceil(gib));
    }
    if (gib >= 1) {
      return String.format(Locale.ROOT, "%.1f GiB", Math.ceil(gib * 10) / 10);
    }
    return String.format(Locale.ROOT, "%d MiB", (long) Math.ceil(bytes / (1024.0 * 1024)));
  }
}
