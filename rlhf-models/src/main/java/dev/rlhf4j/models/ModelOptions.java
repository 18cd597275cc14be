package dev.rlhf4j.models;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

/**
 * Where a model's parameters live and in which element type.
 *
 * <p>Parameters are {@code FLOAT32} (the default: bf16 checkpoints are widened when loaded, since
 * BF16 arrays abort DJL's PyTorch engine) or {@code FLOAT64} (exact gradient checks, reference
 * comparisons). Immutable and thread-safe.
 *
 * <p>Weights read from a checkpoint are scanned for NaN and infinite values (a damaged or hostile
 * download would otherwise load silently and give all-NaN logits); a tensor holding one is
 * refused, named. The scan reads every weight twice more on the model's device ({@code x * 0}
 * summed: NaN exactly when a value is not finite). Measured on a 570 MB float32 Llama checkpoint
 * (142M parameters) on a shared 2-core CPU: median load 1.26 s with the scan, 0.53 s without
 * (a second run at higher load: 2.0 s and 1.5 s), so about 0.5–0.7 s per 570 MB. {@link
 * #withoutWeightScan()} skips it for checkpoints known to be good.
 *
 * @param device the device of the parameters, e.g. {@code Device.cpu()}
 * @param dataType {@code FLOAT32} or {@code FLOAT64}
 * @param scanWeights whether loading refuses NaN and infinite weights (default true)
 */
public record ModelOptions(Device device, DataType dataType, boolean scanWeights) {

  /**
   * Validates the record.
   *
   * @throws IllegalArgumentException if {@code dataType} is not FLOAT32 or FLOAT64
   */
  public ModelOptions {
    checkNotNull(device, "device");
    checkNotNull(dataType, "dataType");
    checkArgument(
        dataType == DataType.FLOAT32 || dataType == DataType.FLOAT64,
        "dataType must be FLOAT32 or FLOAT64 but was %s",
        dataType);
  }

  /** These options on {@code device} in {@code dataType}, weights scanned. */
  public ModelOptions(Device device, DataType dataType) {
    this(device, dataType, true);
  }

  /** FLOAT32 on the engine's default device (a GPU when DJL finds a CUDA libtorch, else CPU). */
  public static ModelOptions defaults() {
    return new ModelOptions(Engine.getInstance().defaultDevice(), DataType.FLOAT32);
  }

  /** FLOAT32 on the CPU. */
  public static ModelOptions cpu() {
    return new ModelOptions(Device.cpu(), DataType.FLOAT32);
  }

  /** These options with another element type. */
  public ModelOptions withDataType(DataType type) {
    return new ModelOptions(device, type, scanWeights);
  }

  /** These options with another device. */
  public ModelOptions withDevice(Device other) {
    return new ModelOptions(other, dataType, scanWeights);
  }

  /**
   * These options without the NaN/infinity scan of loaded weights: faster loading, for
   * checkpoints known to be good (for example, ones this process just wrote).
   */
  public ModelOptions withoutWeightScan() {
    return new ModelOptions(device, dataType, false);
  }
}
