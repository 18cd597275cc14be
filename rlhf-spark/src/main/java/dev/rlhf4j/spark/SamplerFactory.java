package dev.rlhf4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.rlhf4j.iterative.PolicySampler;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * How an executor turns a checkpoint directory into a sampler: the serialisable half of a {@link
 * dev.rlhf4j.iterative.PolicyBackend}'s {@code sampler(Path)}, sent to executors with each task.
 * Each executor JVM calls {@link #open} once per checkpoint and shares the sampler between its
 * concurrent tasks, so {@code sample} must be thread-safe (the DJL generator is).
 *
 * <p>Implement it for another engine; it must be {@link Serializable} with everything it holds.
 */
public interface SamplerFactory extends Serializable {

  /**
   * Loads the policy in the local directory {@code checkpoint} for sampling.
   *
   * @throws dev.rlhf4j.api.Rlhf4jException if it cannot be loaded
   */
  PolicySampler open(Path checkpoint);

  /**
   * The rows the sampler decodes together, when it packs the {@code n} responses of consecutive
   * prompts into batches of that many rows; partitions then hold whole batches, so each response
   * is computed in the same batch as in process (see {@link SparkPolicyBackend}). Default 1: the
   * sampler's results do not depend on which prompts it is given together.
   */
  default int batchRows() {
    return 1;
  }

  /**
   * The in-process DJL {@link dev.rlhf4j.sampling.generate.Generator} over the checkpoint's causal
   * LM and tokenizer, as {@link dev.rlhf4j.iterative.djl.DjlDpoBackend}'s samplers: give both the
   * same {@code maxBatchRows} for bit-identical results.
   *
   * @throws IllegalArgumentException if maxBatchRows is below 1
   */
  static SamplerFactory generator(int maxBatchRows) {
    checkArgument(maxBatchRows >= 1, "maxBatchRows must be >= 1 but was %s", maxBatchRows);
    return new GeneratorSamplerFactory(maxBatchRows);
  }
}
