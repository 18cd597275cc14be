package dev.rlhf4j.models.internal;

import static dev.rlhf4j.models.OwnedArrays.owned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlhf4j.models.config.ModelConfig;

/**
 * Rotary position embeddings in the Hugging Face convention: frequency {@code i} rotates the
 * pair {@code (x[i], x[i + d/2])} (rotate-half, not interleaved), optionally scaled as llama3.
 */
final class Rotary {
  private final NDArray inverseFrequencies;
  private final DataType dataType;

  /** Builds the {@code [headDim/2]} inverse frequencies in {@code constants}. */
  Rotary(ModelConfig config, NDManager constants, DataType dataType) {
    this.dataType = dataType;
    this.inverseFrequencies =
        owned(constants.create(inverseFrequencies(config))).toType(dataType, false);
  }

  /** {@code 1 / theta^(2i/d)}, llama3-scaled when the config says so. */
  static double[] inverseFrequencies(ModelConfig config) {
    int half = config.headDim() / 2;
    double[] f = new double[half];
    for (int i = 0; i < half; i++) {
      f[i] = 1.0 / Math.pow(config.ropeTheta(), 2.0 * i / config.headDim());
    }
    return config.ropeScaling().map(s -> s.scale(f)).orElse(f);
  }

  /**
   * The cosine and sine tables for {@code positions} {@code [B, T]}: each {@code [B, 1, T, d]},
   * in the positions' manager.
   */
  NDArray[] tables(NDArray positions) {
    NDArray angles = positions.toType(dataType, false).expandDims(-1).mul(inverseFrequencies);
    NDArray both = NDArrays.concat(new NDList(angles, angles), -1).expandDims(1);
    return new NDArray[] {both.cos(), both.sin()};
  }

  /** Rotates {@code x} {@code [B, heads, T, d]} by the tables of {@link #tables}. */
  static NDArray apply(NDArray x, NDArray[] tables) {
    return x.mul(tables[0]).add(Ops.rotateHalf(x).mul(tables[1]));
  }
}
