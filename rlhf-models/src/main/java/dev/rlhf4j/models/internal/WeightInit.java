package dev.rlhf4j.models.internal;

import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Random initialisation as Hugging Face's {@code _init_weights} does it: weights normal(0,
 * initializer_range), norm scales 1, biases 0. Each tensor draws from its own generator, seeded
 * from the model seed and the tensor's name, so a tensor's values do not depend on which other
 * tensors the model has.
 */
public final class WeightInit {
  private WeightInit() {}

  /**
   * Creates the tensor of {@code spec} in {@code manager}.
   *
   * @param std the standard deviation for {@link ParameterSpec.Init#NORMAL}
   * @param layers the layer count, for {@link ParameterSpec.Init#NORMAL_RESIDUAL}
   */
  public static NDArray create(
      ParameterSpec spec, long seed, double std, int layers, NDManager manager,
      DataType dataType) {
    int size = Math.toIntExact(spec.shape().size());
    double[] values = new double[size];
    switch (spec.init()) {
      case ONES -> java.util.Arrays.fill(values, 1.0);
      case ZEROS -> { }
      case NORMAL, NORMAL_RESIDUAL -> {
        double sd =
            spec.init() == ParameterSpec.Init.NORMAL ? std : std / Math.sqrt(2.0 * layers);
        SplittableRandom random = new SplittableRandom(mix(seed, spec.name()));
        for (int i = 0; i < size; i++) {
          values[i] = random.nextGaussian() * sd;
        }
      }
      default -> throw new IllegalStateException("unknown init " + spec.init());
    }
    if (dataType == DataType.FLOAT64) {
      return owned(manager.create(values, spec.shape()));
    }
    float[] floats = new float[size];
    for (int i = 0; i < size; i++) {
      floats[i] = (float) values[i];
    }
    NDArray fp32 = owned(manager.create(floats, spec.shape()));
    if (dataType == DataType.FLOAT32) {
      return fp32;
    }
    NDArray converted = fp32.toType(dataType, false);
    fp32.close();
    return converted;
  }

  private static long mix(long seed, String name) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ c) * 0x100000001B3L;
    }
    return h;
  }
}
