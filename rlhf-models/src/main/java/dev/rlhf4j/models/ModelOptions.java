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
 * <p><b>Vocabulary projection.</b> The completion log-probabilities a causal LM computes for
 * training and scoring ({@link CausalLm#logProbsAt}, {@link CausalLm#logProbsOfPacked}) project
 * at most {@link #vocabularyChunk()} positions onto the vocabulary at once, forward and backward,
 * so a micro-batch never holds more than one chunk's {@code [chunk, vocab]} logits and
 * log-softmax (at a 151,936-token vocabulary a chunk of 512 float32 rows is 297 MiB per array).
 * Smaller chunks cost a little speed (see {@link #DEFAULT_VOCABULARY_CHUNK}); the values and
 * gradients do not depend on the chunk beyond floating-point rounding.
 *
 * @param device the device of the parameters, e.g. {@code Device.cpu()}
 * @param dataType {@code FLOAT32} or {@code FLOAT64}
 * @param scanWeights whether loading refuses NaN and infinite weights (default true)
 * @param vocabularyChunk the most positions projected onto the vocabulary at once, {@code >= 1}
 *     (default {@link #DEFAULT_VOCABULARY_CHUNK})
 */
public record ModelOptions(
    Device device, DataType dataType, boolean scanWeights, int vocabularyChunk) {

  /**
   * The default {@link #vocabularyChunk()}: 512 positions, 297 MiB of float32 logits per array at
   * Qwen2's 151,936-token vocabulary (96 MiB at 49,152). Measured with the {@code benchmarks}
   * module's {@code MemoryEstimateCheck projection} at vocabulary 151,936, hidden 896 and 2 × 256
   * projected positions (2 shared cores): the projection's forward and backward peak fell from
   * 1.8 GiB (unchunked) to 0.9 GiB at 512 (0.66 GiB at 256) for 15–25% more projection time (256:
   * 40–100% more: each chunk adds a {@code [vocab, hidden]} head-gradient product); see the
   * CHANGELOG.
   */
  public static final int DEFAULT_VOCABULARY_CHUNK = 512;

  /**
   * Validates the record.
   *
   * @throws IllegalArgumentException if {@code dataType} is not FLOAT32 or FLOAT64, or {@code
   *     vocabularyChunk < 1}
   */
  public ModelOptions {
    checkNotNull(device, "device");
    checkNotNull(dataType, "dataType");
    checkArgument(
        dataType == DataType.FLOAT32 || dataType == DataType.FLOAT64,
        "dataType must be FLOAT32 or FLOAT64 but was %s",
        dataType);
    checkArgument(
        vocabularyChunk >= 1, "vocabularyChunk must be >= 1 but was %s", vocabularyChunk);
  }

  /** These options on {@code device} in {@code dataType}, weights scanned, default chunk. */
  public ModelOptions(Device device, DataType dataType) {
    this(device, dataType, true);
  }

  /** These options with the {@link #DEFAULT_VOCABULARY_CHUNK}. */
  public ModelOptions(Device device, DataType dataType, boolean scanWeights) {
    this(device, dataType, scanWeights, DEFAULT_VOCABULARY_CHUNK);
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
    return new ModelOptions(device, type, scanWeights, vocabularyChunk);
  }

  /** These options with another device. */
  public ModelOptions withDevice(Device other) {
    return new ModelOptions(other, dataType, scanWeights, vocabularyChunk);
  }

  /**
   * These options without the NaN/infinity scan of loaded weights: faster loading, for
   * checkpoints known to be good (for example, ones this process just wrote).
   */
  public ModelOptions withoutWeightScan() {
    return new ModelOptions(device, dataType, false, vocabularyChunk);
  }

  /**
   * These options with another {@link #vocabularyChunk()}: how many positions are projected onto
   * the vocabulary at once. Lower it when the vocabulary projection dominates memory; raise it
   * (up to the completion tokens of a micro-batch) for a little speed.
   *
   * @throws IllegalArgumentException if {@code positions < 1}
   */
  public ModelOptions withVocabularyChunk(int positions) {
    return new ModelOptions(device, dataType, scanWeights, positions);
  }
}
