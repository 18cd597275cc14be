package dev.rlhf4j.training.optim;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.rlhf4j.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;

/**
 * How a global batch is split into micro-batches: {@code globalBatchSize = microBatchSize ×
 * steps}, with one optimizer step per global batch.
 *
 * <p>The recipe (valid on DJL 0.36 with PyTorch, whose gradient collectors add every backward pass
 * into the parameters' gradients and never zero them; see the package documentation):
 *
 * <pre>{@code
 * for (int micro = 0; micro < accumulation.steps(); micro++) {
 *   try (NDManager step = manager.newSubManager();
 *       GradientCollector collector = engine.newGradientCollector()) {
 *     NDArray loss = lossOf(microBatch(micro), step);     // mean over the micro-batch
 *     collector.backward(accumulation.scale(loss));        // loss / steps
 *   }
 * }
 * double gradNorm = GradientClipping.clipGradientsOf(parameters.values(), 1.0);
 * optimizer.step(parameters);                              // also zeroes the gradients
 * }</pre>
 *
 * <p>The accumulated gradient equals the gradient of the mean loss over the global batch when
 * every micro-batch has the same size and each micro-batch loss is a mean over its examples (as
 * the DPO and Bradley–Terry losses are). A loss averaged over tokens is not: micro-batches with
 * different token counts then weigh tokens differently than one big batch would.
 *
 * @param microBatchSize examples per forward/backward pass, ≥ 1
 * @param steps micro-batches per optimizer step, ≥ 1
 */
public record GradientAccumulation(int microBatchSize, int steps) {

  /** @throws IllegalArgumentException if a value is &lt; 1 or the global batch overflows an int */
  public GradientAccumulation {
    checkArgument(microBatchSize >= 1, "microBatchSize must be >= 1 but was %s", microBatchSize);
    checkArgument(steps >= 1, "steps must be >= 1 but was %s", steps);
    checkArgument(
        (long) microBatchSize * steps <= Integer.MAX_VALUE,
        "microBatchSize × steps must fit an int but was %s × %s",
        microBatchSize,
        steps);
  }

  /**
   * The accumulation that reaches {@code globalBatchSize} with micro-batches of {@code
   * microBatchSize}.
   *
   * @param globalBatchSize examples per optimizer step, ≥ 1
   * @param microBatchSize examples per forward/backward pass, in [1, globalBatchSize], dividing
   *     {@code globalBatchSize}
   * @return the accumulation
   * @throws IllegalArgumentException if a value is out of range or does not divide
   */
  public static GradientAccumulation of(int globalBatchSize, int microBatchSize) {
    checkArgument(globalBatchSize >= 1, "globalBatchSize must be >= 1 but was %s", globalBatchSize);
    checkArgument(
        microBatchSize >= 1 && microBatchSize <= globalBatchSize,
        "microBatchSize must be in [1, globalBatchSize = %s] but was %s",
        globalBatchSize,
        microBatchSize);
    checkArgument(
        globalBatchSize % microBatchSize == 0,
        "globalBatchSize %s must be a multiple of microBatchSize %s; try microBatchSize %s",
        globalBatchSize,
        microBatchSize,
        largestDivisorAtMost(globalBatchSize, microBatchSize));
    return new GradientAccumulation(microBatchSize, globalBatchSize / microBatchSize);
  }

  private static int largestDivisorAtMost(int n, int limit) {
    for (int d = limit; d > 1; d--) {
      if (n % d == 0) {
        return d;
      }
    }
    return 1;
  }

  /** Examples per optimizer step: {@code microBatchSize × steps}. */
  public int globalBatchSize() {
    return microBatchSize * steps;
  }

  /** The factor each micro-batch loss is multiplied by before backward: {@code 1 / steps}. */
  public double lossScale() {
    return 1.0 / steps;
  }

  /**
   * The micro-batch loss scaled for accumulation, {@code loss / steps}: a new array in the loss's
   * manager.
   *
   * @param microBatchLoss the mean loss over one micro-batch
   * @return the loss to call backward on
   * @throws IllegalArgumentException if {@code microBatchLoss} is null
   */
  public NDArray scale(NDArray microBatchLoss) {
    checkArgument(microBatchLoss != null, "microBatchLoss must not be null");
    return microBatchLoss.div(scalar(microBatchLoss, steps));
  }

  /**
   * Whether the optimizer steps after this micro-batch.
   *
   * @param microBatchIndex the 0-based index of the micro-batch since training began
   * @return {@code true} after every {@code steps}-th micro-batch
   * @throws IllegalArgumentException if {@code microBatchIndex < 0}
   */
  public boolean stepsAfter(long microBatchIndex) {
    checkArgument(microBatchIndex >= 0, "microBatchIndex must be >= 0 but was %s", microBatchIndex);
    return (microBatchIndex + 1) % steps == 0;
  }
}
