package dev.rlhf4j.training.optim;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Gradient clipping by global norm, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and the
 * Hugging Face Trainer's {@code max_grad_norm} do it: all gradients are scaled by the same factor
 * so that the L2 norm of their concatenation is at most {@code maxNorm}. DJL's {@code
 * Optimizer.optClipGrad} clamps each element on its own instead, which changes the gradient's
 * direction; do not use it.
 *
 * <p>The norm is computed in float32 on the gradients' device (each gradient's norm, then the norm
 * of those), read back once, and returned so that it can be reported as the {@code grad_norm}
 * metric. A non-finite norm (an overflow or a NaN somewhere) is returned as is and the gradients
 * are left untouched, so that the trainer can stop or skip the step; check it with {@link
 * Double#isFinite(double)}.
 *
 * <p>Stateless; calls on disjoint gradients may run concurrently.
 */
public final class GradientClipping {

  /** Added to the norm before dividing, as PyTorch does, so that a zero norm divides safely. */
  public static final double NORM_EPSILON = 1e-6;

  private GradientClipping() {}

  /**
   * The L2 norm of all gradients taken together, {@code √(Σ ‖g‖²)}.
   *
   * @param gradients the gradients, float32, all on one device
   * @return the global norm; NaN or +∞ if a gradient holds such values
   * @throws IllegalArgumentException if {@code gradients} is null or empty or contains null
   */
  public static double globalNorm(Collection<NDArray> gradients) {
    checkArgument(
        gradients != null && !gradients.isEmpty(), "gradients must hold at least one array");
    NDArray first = gradients.iterator().next();
    checkArgument(first != null, "gradients must not contain null");
    try (NDManager scratch = first.getManager().newSubManager(first.getDevice())) {
      NDList norms = new NDList(gradients.size());
      for (NDArray gradient : gradients) {
        checkArgument(gradient != null, "gradients must not contain null");
        try (NDManager perGradient = scratch.newSubManager()) {
          gradient.tempAttach(perGradient);
          NDArray norm = gradient.flatten().norm();
          norm.attach(scratch);
          norms.add(norm);
        }
      }
      return NDArrays.stack(norms).norm().getFloat();
    }
  }

  /**
   * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))}, where {@code norm}
   * is their {@link #globalNorm global norm}; below {@code maxNorm} they are left as they are.
   *
   * @param gradients the gradients, float32, all on one device; updated in place
   * @param maxNorm the largest global norm to allow, &gt; 0; {@code +∞} only measures
   * @return the global norm before clipping; if it is not finite, nothing was scaled
   * @throws IllegalArgumentException if {@code maxNorm} is not &gt; 0 or {@code gradients} is null
   *     or empty or contains null
   */
  public static double clipByGlobalNorm(Collection<NDArray> gradients, double maxNorm) {
    checkArgument(maxNorm > 0, "maxNorm must be > 0 (+Infinity = measure only) but was %s", maxNorm);
    double norm = globalNorm(gradients);
    if (!Double.isFinite(norm)) {
      return norm;
    }
    double scale = maxNorm / (norm + NORM_EPSILON);
    if (scale < 1) {
      NDArray first = gradients.iterator().next();
      // one scalar operand for all gradients, not one native array per gradient
      try (NDArray factor = first.getManager().create((float) scale)) {
        for (NDArray gradient : gradients) {
          gradient.muli(factor);
        }
      }
    }
    return norm;
  }

  /**
   * {@link #clipByGlobalNorm} on the gradients of {@code parameters}, each read with {@link
   * NDArray#getGradient()} (which shares the parameter's gradient storage).
   *
   * @param parameters arrays that require gradients, float32, all on one device
   * @param maxNorm the largest global norm to allow, &gt; 0; {@code +∞} only measures
   * @return the global norm before clipping; if it is not finite, nothing was scaled
   * @throws IllegalArgumentException if {@code maxNorm} is not &gt; 0, {@code parameters} is null
   *     or empty or contains null, or a parameter does not require gradients
   */
  public static double clipGradientsOf(Collection<NDArray> parameters, double maxNorm) {
    checkArgument(
        parameters != null && !parameters.isEmpty(), "parameters must hold at least one array");
    List<NDArray> gradients = new ArrayList<>(parameters.size());
    try {
      for (NDArray parameter : parameters) {
        checkArgument(parameter != null, "parameters must not contain null");
        checkArgument(
            parameter.hasGradient(),
            "parameter %s does not require gradients",
            parameter.getName());
        // each getGradient() call makes a new handle in the parameter's manager: close it after
        gradients.add(parameter.getGradient());
      }
      return clipByGlobalNorm(gradients, maxNorm);
    } finally {
      gradients.forEach(NDArray::close);
    }
  }
}
