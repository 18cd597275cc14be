package dev.rlhf4j.training.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Named parameters and exactly known gradients for optimizer tests. */
final class TestParameters {
  private TestParameters() {}

  /** Parameters with standard-normal values, requiring gradients, owned by {@code manager}. */
  static Map<String, NDArray> normal(NDManager manager, Map<String, Shape> shapes, long seed) {
    Random random = new Random(seed);
    Map<String, NDArray> parameters = new LinkedHashMap<>();
    shapes.forEach(
        (name, shape) -> {
          NDArray p = manager.create(normalValues(random, (int) shape.size()), shape);
          p.setRequiresGradient(true);
          p.setName(name);
          parameters.put(name, p);
        });
    return parameters;
  }

  static float[] normalValues(Random random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  /**
   * Runs backward on {@code Σ sum(p ⊙ g)}, which adds exactly {@code g} to each parameter's
   * gradient. Temporaries live in a sub-manager closed here.
   */
  static void backward(Map<String, NDArray> parameters, Map<String, float[]> gradients) {
    NDManager any = parameters.values().iterator().next().getManager();
    try (NDManager step = any.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray loss = step.zeros(new Shape());
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = step.create(gradients.get(e.getKey()), p.getShape());
        loss = loss.add(g.mul(p).sum());
      }
      collector.backward(loss);
    }
  }

  /** Random gradients of the parameters' shapes. */
  static Map<String, float[]> randomGradients(Map<String, NDArray> parameters, Random random) {
    Map<String, float[]> gradients = new LinkedHashMap<>();
    parameters.forEach(
        (name, p) -> gradients.put(name, normalValues(random, (int) p.getShape().size())));
    return gradients;
  }

  /** The values of each parameter. */
  static Map<String, float[]> values(Map<String, NDArray> parameters) {
    Map<String, float[]> values = new LinkedHashMap<>();
    parameters.forEach((name, p) -> values.put(name, p.toFloatArray()));
    return values;
  }

  /** The live arrays of the whole process: the system manager walks every manager below it. */
  static int liveArrays(NDManager anyBaseManager) {
    return anyBaseManager.getParentManager().getManagedArrays().size();
  }
}
